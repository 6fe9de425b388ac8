import type { FastifyInstance } from 'fastify';
import { errorBody } from '../http-errors.ts';
import { pageEnvelope, parsePaging } from '../paging.ts';
import type { SupplierRepository } from '../supplier-repository.ts';

/** `GET /api/suppliers` (paged like purchase orders) and `GET /api/suppliers/:supplier_id`. */
export function registerSupplierRoutes(app: FastifyInstance, suppliers: SupplierRepository) {
  app.get('/api/suppliers', (request, reply) => {
    const paging = parsePaging(request.query);
    if (paging.kind === 'invalid') {
      reply.code(400).send(errorBody('bad_request', paging.message));
      return;
    }
    reply.send(pageEnvelope(paging, suppliers.list(paging.offset, paging.limit), suppliers.count()));
  });

  app.get<{ Params: { supplier_id: string } }>('/api/suppliers/:supplier_id', (request, reply) => {
    const supplier = suppliers.get(request.params.supplier_id);
    if (!supplier) {
      reply.code(404).send(errorBody('not_found', `supplier ${request.params.supplier_id} does not exist`));
      return;
    }
    reply.send(supplier);
  });
}

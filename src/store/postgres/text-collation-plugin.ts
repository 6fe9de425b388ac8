import {
  type ColumnDefinitionNode,
  DataTypeNode,
  type KyselyPlugin,
  OperationNodeTransformer,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type QueryResult,
  type RootOperationNode,
  sql,
  type UnknownRow,
} from 'kysely';

/**
 * Makes every `text` column a migration creates on PostgreSQL compare byte-wise (`text collate
 * "C"`), as SQLite's default BINARY collation does. Without it, ordering by id, `afterId` paging and
 * `<`/`>` on ISO timestamps would follow the database's locale (en_US sorts `chg-B` before
 * `chg-a` and ignores punctuation), and the two stores would page through a plan differently.
 *
 * The migrations stay portable (`addColumn('id', 'text')`) and SQLite's schema unchanged; indexes
 * inherit the column's collation, so ordered reads still use them. Only column definitions are
 * touched: a `cast(… as text)` in a query is left alone.
 */
export class TextCollationPlugin implements KyselyPlugin {
  readonly #transformer = new TextCollationTransformer();

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    const { node } = args;
    // Only DDL defines columns; every other query passes through untouched.
    if (node.kind !== 'CreateTableNode' && node.kind !== 'AlterTableNode') return node;
    return this.#transformer.transformNode(node, args.queryId);
  }

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return args.result;
  }
}

const COLLATED_TEXT = sql`text collate "C"`.toOperationNode();

class TextCollationTransformer extends OperationNodeTransformer {
  protected override transformColumnDefinition(
    node: ColumnDefinitionNode,
    queryId?: PluginTransformQueryArgs['queryId'],
  ): ColumnDefinitionNode {
    const transformed = super.transformColumnDefinition(node, queryId);
    const { dataType } = transformed;
    if (DataTypeNode.is(dataType) && dataType.dataType === 'text') {
      return { ...transformed, dataType: COLLATED_TEXT };
    }
    return transformed;
  }
}

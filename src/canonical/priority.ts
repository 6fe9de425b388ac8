import { z } from 'zod';

/** Purchase-order urgency, most urgent first. The labels the po-urgency workflow predicts and writes. */
export const PRIORITIES = ['urgent', 'high', 'normal', 'low'] as const;
export const Priority = z.enum(PRIORITIES);
export type Priority = z.infer<typeof Priority>;

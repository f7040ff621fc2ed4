import { z } from 'zod';

/** Kinds that carry good news: the moments a personal note can celebrate. */
export const PositiveKind = z.enum([
  'promotion',
  'award',
  'funding',
  'expansion',
  'anniversary',
  'launch',
  'acquisition',
  'partnership',
  'record_results',
]);
export type PositiveKind = z.infer<typeof PositiveKind>;

/** Kinds that carry bad news: a congratulation sent during one of these would hurt the relationship. */
export const NegativeKind = z.enum(['recall', 'layoffs', 'lawsuit', 'data_breach', 'bankruptcy', 'accident']);
export type NegativeKind = z.infer<typeof NegativeKind>;

/** A kind that a classification rule can produce; `other` is what is left when no rule fires. */
export const ClassifiedKind = z.enum([...PositiveKind.options, ...NegativeKind.options]);
export type ClassifiedKind = z.infer<typeof ClassifiedKind>;

export const SignalKind = z.enum([...ClassifiedKind.options, 'other']);
export type SignalKind = z.infer<typeof SignalKind>;

export const Polarity = z.enum(['positive', 'negative', 'neutral']);
export type Polarity = z.infer<typeof Polarity>;

const negativeKinds: ReadonlySet<string> = new Set(NegativeKind.options);

export function polarityOfKind(kind: ClassifiedKind): 'positive' | 'negative' {
  return negativeKinds.has(kind) ? 'negative' : 'positive';
}

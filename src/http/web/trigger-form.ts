import { DATE_FIELDS, NEWS_POLARITIES, SOURCE_TYPES, parseTriggerDefinition, type TriggerDefinition } from '../../triggers/trigger-definition.js';
import type { FieldErrors } from './views.js';

/**
 * The trigger editor's form ↔ a trigger definition. The common parts are plain fields; conditions
 * and the send window are JSON (they nest). Parts of a stored definition the form does not show
 * (e.g. a specific approver) are kept from `base` when editing. Every validation issue is mapped
 * to the field that shows it, so the message appears beside that field.
 */
export type TriggerForm = Record<string, string>;

export const FORM_FIELDS = [
  'key', 'name', 'description', 'sourceType', 'eventType', 'kinds', 'minConfidence', 'polarity', 'dateField', 'offsetDays',
  'nth', 'lifetimeValueAtLeast', 'silenceDays', 'conditions', 'template', 'channel', 'approval', 'expiresAfterHours',
  'delayMinutes', 'giftSku', 'priority', 'cooldownDays', 'celebratory', 'sendWindow',
] as const;

export const FORM_CHOICES = { sourceTypes: SOURCE_TYPES, dateFields: DATE_FIELDS, polarities: NEWS_POLARITIES };

export const TRIGGER_KEY = /^[a-z0-9][a-z0-9_-]{0,79}$/;

/** Where a definition path is shown in the form. */
const FIELD_OF: [RegExp, string][] = [
  [/^name/, 'name'],
  [/^description/, 'description'],
  [/^source\.eventType/, 'eventType'],
  [/^source\.kinds/, 'kinds'],
  [/^source\.minConfidence/, 'minConfidence'],
  [/^source\.polarity/, 'polarity'],
  [/^source\.field/, 'dateField'],
  [/^source\.offsetDays/, 'offsetDays'],
  [/^source\.nth/, 'nth'],
  [/^source\.lifetimeValueAtLeast/, 'lifetimeValueAtLeast'],
  [/^source\.days/, 'silenceDays'],
  [/^source/, 'sourceType'],
  [/^conditions/, 'conditions'],
  [/^action\.template/, 'template'],
  [/^action\.channel/, 'channel'],
  [/^action\.approval/, 'approval'],
  [/^action\.approver/, 'approval'],
  [/^action\.expiresAfterHours/, 'expiresAfterHours'],
  [/^action\.delayMinutes/, 'delayMinutes'],
  [/^action\.giftSku/, 'giftSku'],
  [/^policies\.priority/, 'priority'],
  [/^policies\.cooldownDays/, 'cooldownDays'],
  [/^policies\.celebratory/, 'celebratory'],
  [/^policies\.sendWindow/, 'sendWindow'],
];

export function fieldForPath(path: string): string {
  return FIELD_OF.find(([re]) => re.test(path))?.[1] ?? 'form';
}

/** The form's values for a stored definition. */
export function formFromDefinition(key: string, d: TriggerDefinition): TriggerForm {
  const s = d.source as Record<string, unknown>;
  const str = (v: unknown) => (v === undefined || v === null ? '' : String(v));
  return {
    key,
    name: d.name,
    description: d.description ?? '',
    sourceType: d.source.type,
    eventType: str(s['eventType']),
    kinds: Array.isArray(s['kinds']) ? s['kinds'].join(', ') : '',
    minConfidence: str(s['minConfidence']),
    polarity: str(s['polarity']),
    dateField: str(s['field']),
    offsetDays: str(s['offsetDays']),
    nth: str(s['nth']),
    lifetimeValueAtLeast: str(s['lifetimeValueAtLeast']),
    silenceDays: d.source.type === 'silence' ? str(s['days']) : '',
    conditions: d.conditions ? JSON.stringify(d.conditions, null, 2) : '',
    template: d.action.template,
    channel: d.action.channel,
    approval: d.action.approval,
    expiresAfterHours: str(d.action.expiresAfterHours),
    delayMinutes: str(d.action.delayMinutes),
    giftSku: d.action.giftSku ?? '',
    priority: str(d.policies.priority),
    cooldownDays: str(d.policies.cooldownDays),
    celebratory: d.policies.celebratory === undefined ? 'auto' : d.policies.celebratory ? 'yes' : 'no',
    sendWindow: d.policies.sendWindow ? JSON.stringify(d.policies.sendWindow, null, 2) : '',
  };
}

export const EMPTY_FORM: TriggerForm = {
  ...Object.fromEntries(FORM_FIELDS.map((f) => [f, ''])),
  sourceType: 'event',
  channel: 'email',
  approval: 'required',
  priority: '0',
  celebratory: 'auto',
};

/** Reads the submitted form; only strings are kept, so a crafted body cannot smuggle objects in. */
export function readForm(body: unknown): TriggerForm {
  const raw = (body ?? {}) as Record<string, unknown>;
  return Object.fromEntries(FORM_FIELDS.map((f) => [f, typeof raw[f] === 'string' ? (raw[f] as string).replaceAll('\r\n', '\n') : ''])) as TriggerForm;
}

/** Builds and validates the definition; errors are keyed by form field. */
export function definitionFromForm(form: TriggerForm, base?: TriggerDefinition): { definition?: TriggerDefinition; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const num = (field: string): number | undefined => {
    const v = form[field]?.trim() ?? '';
    if (v === '') return undefined;
    const n = Number(v);
    if (!Number.isFinite(n)) errors[field] = 'expected a number';
    return n;
  };
  const json = (field: string): unknown => {
    const v = form[field]?.trim() ?? '';
    if (v === '') return undefined;
    try {
      return JSON.parse(v);
    } catch (err) {
      errors[field] = `not valid JSON: ${(err as Error).message}`;
      return undefined;
    }
  };
  const source: Record<string, unknown> = { type: form['sourceType'] };
  switch (form['sourceType']) {
    case 'event':
      source['eventType'] = form['eventType']?.trim();
      break;
    case 'news':
      source['kinds'] = (form['kinds'] ?? '').split(',').map((k) => k.trim()).filter(Boolean);
      source['minConfidence'] = num('minConfidence') ?? 0.5;
      if (form['polarity']) source['polarity'] = form['polarity'];
      break;
    case 'date':
      source['field'] = form['dateField'];
      source['offsetDays'] = num('offsetDays') ?? 0;
      break;
    case 'milestone':
      if (form['lifetimeValueAtLeast']?.trim()) source['lifetimeValueAtLeast'] = num('lifetimeValueAtLeast');
      else Object.assign(source, { eventType: form['eventType']?.trim(), nth: num('nth') });
      break;
    case 'silence':
      source['days'] = num('silenceDays');
      break;
  }
  const defined = <T extends Record<string, unknown>>(o: T) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== ''));
  const candidate = defined({
    name: form['name'],
    description: form['description']?.trim() || undefined,
    source,
    conditions: json('conditions'),
    action: defined({
      template: form['template']?.trim(),
      channel: form['channel'],
      approval: form['approval'],
      approver: form['approval'] === 'required' ? base?.action.approver : undefined,
      expiresAfterHours: num('expiresAfterHours'),
      delayMinutes: num('delayMinutes'),
      giftSku: form['giftSku']?.trim() || undefined,
    }),
    policies: defined({
      priority: num('priority') ?? 0,
      cooldownDays: num('cooldownDays'),
      celebratory: form['celebratory'] === 'yes' ? true : form['celebratory'] === 'no' ? false : undefined,
      sendWindow: json('sendWindow'),
    }),
  });
  if (Object.keys(errors).length) return { errors };
  const parsed = parseTriggerDefinition(candidate);
  if (parsed.success) return { definition: parsed.data, errors };
  for (const issue of parsed.issues) {
    const field = fieldForPath(issue.field);
    // Nested JSON fields name the path inside them, so "conditions.all[0].field" stays findable.
    const where = field === 'conditions' || field === 'sendWindow' || field === 'form' ? `${issue.field || '(definition)'}: ` : '';
    errors[field] ??= `${where}${issue.message}`;
  }
  return { errors };
}

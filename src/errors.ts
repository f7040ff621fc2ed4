/**
 * The one registry of application errors. Each has a stable code (clients match on it), an HTTP
 * status and a default message. HTTP maps them in http/error-handler.ts; the CLI prints them in
 * cli/main.ts. Users see what was wrong and which field, never a stack trace.
 */
export const ERRORS = {
  RAPPORT_VALIDATION: { status: 422, message: 'The request is not valid' },
  RAPPORT_MALFORMED_JSON: { status: 400, message: 'The request body is not valid JSON' },
  RAPPORT_UNAUTHENTICATED: { status: 401, message: 'A valid API token is required (Authorization: Bearer <token>)' },
  RAPPORT_FORBIDDEN: { status: 403, message: 'You may not do this' },
  RAPPORT_NOT_FOUND: { status: 404, message: 'Not found' },
  RAPPORT_CUSTOMER_NOT_FOUND: { status: 422, message: 'No customer with this id or externalId' },
  RAPPORT_OWNER_NOT_FOUND: { status: 422, message: 'No user with this owner email' },
  RAPPORT_SUGGESTION_NOT_FOUND: { status: 404, message: 'No suggestion with this id' },
  RAPPORT_SUGGESTION_ILLEGAL_TRANSITION: { status: 409, message: 'The suggestion is not in a state that allows this' },
  RAPPORT_SUGGESTION_NOT_PENDING: { status: 409, message: 'Only a suggestion waiting for approval can be changed' },
  RAPPORT_ASSIGNEE_INVALID: { status: 422, message: 'Suggestions can only be assigned to an account manager or an admin' },
  RAPPORT_CSRF: { status: 403, message: 'This form has expired or did not come from Rapport; reload the page and try again' },
  RAPPORT_CONFLICT: { status: 409, message: 'This already exists' },
  RAPPORT_TRIGGER_NOT_FOUND: { status: 404, message: 'No trigger with this id' },
  RAPPORT_FEED_NOT_FOUND: { status: 404, message: 'No feed with this id' },
  RAPPORT_ACCOUNT_NOT_FOUND: { status: 422, message: 'No account with this externalId' },
  RAPPORT_IDEMPOTENCY_CONFLICT: { status: 409, message: 'This idempotency key was already used for a different event' },
  RAPPORT_TEMPLATE_NOT_FOUND: { status: 422, message: 'No template for this key and locale' },
  RAPPORT_TEMPLATE_INVALID: { status: 422, message: 'The template cannot be rendered' },
  RAPPORT_PRINT_RUN_BUSY: { status: 409, message: 'Another print run is in progress; try again when it has finished' },
  RAPPORT_PAYLOAD_TOO_LARGE: { status: 413, message: 'The request body is too large' },
  RAPPORT_BATCH_TOO_LARGE: { status: 413, message: 'A batch holds at most 1000 items; split it into several requests' },
  RAPPORT_BAD_SIGNATURE: { status: 401, message: 'This token signs its requests: X-Rapport-Timestamp and X-Rapport-Signature (sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>">) are missing or wrong' },
  RAPPORT_STALE_SIGNATURE: { status: 401, message: 'X-Rapport-Timestamp is more than 300 seconds away from the server clock; sign the request again' },
  RAPPORT_EVENT_TYPE_BUILT_IN: { status: 409, message: 'Built-in event types cannot be redefined' },
  RAPPORT_GIFT_NOT_FOUND: { status: 422, message: 'No active gift with this SKU' },
  RAPPORT_GIFT_BUDGET_EXCEEDED: { status: 422, message: 'The gift costs more than the remaining gift budget' },
  RAPPORT_GIFT_CURRENCY_MISMATCH: { status: 422, message: 'The gift is priced in another currency than the gift budget' },
  RAPPORT_GIFT_ORDER_NOT_FOUND: { status: 404, message: 'No gift order with this id' },
  RAPPORT_GIFT_ORDER_ILLEGAL_TRANSITION: { status: 409, message: 'The gift order is not in a state that allows this' },
  RAPPORT_GIFT_PACKING_BUSY: { status: 409, message: 'Another gift packing run is in progress; try again when it has finished' },
  RAPPORT_GIFT_PARTNER_CONFIGURED: { status: 409, message: 'Gifts are fulfilled by the partner (GIFT_PARTNER_URL is set); packing runs are for manual fulfilment' },
  RAPPORT_UNAVAILABLE: { status: 503, message: 'A dependency is unavailable' },
  RAPPORT_INTERNAL: { status: 500, message: 'Something went wrong on our side' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERRORS;

export interface ErrorDetail {
  field: string;
  message: string;
}

export class AppError extends Error {
  override readonly name = 'AppError';
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message?: string,
    readonly details: { field?: string; issues?: ErrorDetail[] } = {},
    options?: { cause?: unknown },
  ) {
    super(message ?? ERRORS[code].message, options);
    this.status = ERRORS[code].status;
  }

  get field(): string | undefined {
    return this.details.field ?? this.details.issues?.[0]?.field;
  }

  toJSON() {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.field !== undefined ? { field: this.field } : {}),
        ...(this.details.issues ? { issues: this.details.issues } : {}),
      },
    };
  }
}

/**
 * Sample facts for previews and `rapport templates check`: every variable the shipped templates
 * use, with a plausible value, shaped like noteContext() in triggers/facts.ts plus the extras
 * events, news and dates add (event, signal, occasion, years).
 */
export function sampleNoteContext(senderName: string, locale = 'vi-VN') {
  return {
    firstName: 'Linh',
    name: 'Linh Pham',
    customer: { name: 'Linh Pham', email: 'linh@example.com', locale },
    recipient: { locale, timeZone: 'Asia/Ho_Chi_Minh' },
    account: { name: 'Saigon Steel' },
    event: { type: 'purchase', occurredAt: '2026-11-20T09:30:00+07:00', data: { product: 'Aurora desk lamp', total: 129 } },
    signal: {
      kind: 'funding',
      evidence: 'Saigon Steel raised $20M to expand its Da Nang plant.',
      article: { title: 'Saigon Steel raises $20M', link: 'https://news.example/saigon-steel-funding' },
    },
    occasion: { field: 'customerSince', date: '2026-11-20', years: 5 },
    years: 5,
    sender: { name: senderName, email: 'you@rapport.example' },
  };
}

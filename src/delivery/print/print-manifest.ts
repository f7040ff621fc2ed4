/** One line of a print run's manifest.csv: which card is where, and where it goes. */
export interface ManifestRow {
  deliveryId: string;
  file: string;
  firstPage: number;
  lastPage: number;
  format: string;
  recipient: string;
  addressLines: string[];
  postalCode: string | null;
  city: string | null;
  region: string | null;
  country: string | null;
  locale: string;
}

const HEADER = ['delivery_id', 'file', 'first_page', 'last_page', 'format', 'recipient', 'address_line_1', 'address_line_2', 'address_line_3', 'postal_code', 'city', 'region', 'country', 'locale'];

/**
 * RFC 4180 quoting, and a leading apostrophe for cells a spreadsheet would run as a formula
 * ("=HYPERLINK(…)" as a street name): mail houses open manifests in spreadsheets.
 */
export function csvCell(value: string | number | null): string {
  let s = value === null ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

export function manifestCsv(rows: ManifestRow[]): string {
  const lines = rows.map((r) => {
    // More than three street lines is rare; the rest are joined into the third so nothing is lost.
    const street = [r.addressLines[0] ?? '', r.addressLines[1] ?? '', r.addressLines.slice(2).join(', ')];
    return [r.deliveryId, r.file, r.firstPage, r.lastPage, r.format, r.recipient, ...street, r.postalCode, r.city, r.region, r.country, r.locale].map(csvCell).join(',');
  });
  return `${[HEADER.join(','), ...lines].join('\r\n')}\r\n`;
}

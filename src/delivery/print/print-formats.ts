import { AppError } from '../../errors.js';

/** Lengths are in PostScript points (1/72 in), the PDF's own unit, so page sizes come out exact. */
const mm = (v: number) => (v * 72) / 25.4;
const inch = (v: number) => v * 72;

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface PrintFormat {
  name: string;
  label: string;
  /** Which template lays it out: templates/print/<layout>.hbs. */
  layout: 'flat-card' | 'folded-card' | 'postcard' | 'letter';
  /** The finished piece after cutting (for a folded card: the flat sheet before folding). */
  trim: { width: number; height: number };
  /** Printed beyond the trim on every side, so a slightly off cut leaves no white edge. */
  bleed: number;
  /** Text stays this far inside the trim: cutting and folding tolerances. */
  safe: number;
  /** Every note in this format has exactly this many pages, so a run's page numbers are known in advance. */
  pagesPerNote: number;
  /**
   * Where the recipient's address goes, measured from the trim's top-left corner: for letters the
   * envelope window, for postcards the address panel. Absent for cards (they travel in an envelope
   * addressed by the mail house from the manifest).
   */
  address?: Box & {
    /** Height at the top of the window for the small return-address line (DIN 5008: 17.7 mm). */
    returnLine: number;
  };
}

const formats: PrintFormat[] = [
  {
    name: 'card-5x7-flat',
    label: 'Flat card 5×7 in',
    layout: 'flat-card',
    trim: { width: inch(5), height: inch(7) },
    bleed: inch(1 / 8),
    safe: inch(1 / 4),
    pagesPerNote: 2,
  },
  {
    name: 'card-5x7-folded',
    label: 'Folded card 5×7 in (10×7 in sheet, folded vertically)',
    layout: 'folded-card',
    trim: { width: inch(10), height: inch(7) },
    bleed: inch(1 / 8),
    safe: inch(1 / 4),
    pagesPerNote: 2,
  },
  {
    name: 'postcard-a6',
    label: 'Postcard A6 (148×105 mm)',
    layout: 'postcard',
    trim: { width: mm(148), height: mm(105) },
    bleed: mm(3),
    safe: mm(5),
    pagesPerNote: 2,
    // The right half of the back, below the stamp area.
    address: { x: mm(78), y: mm(40), width: mm(64), height: mm(55), returnLine: 0 },
  },
  {
    name: 'postcard-4x6',
    label: 'Postcard 4×6 in',
    layout: 'postcard',
    trim: { width: inch(6), height: inch(4) },
    bleed: inch(1 / 8),
    safe: inch(1 / 8),
    pagesPerNote: 2,
    address: { x: inch(3.2), y: inch(1.6), width: inch(2.6), height: inch(1.9), returnLine: 0 },
  },
  {
    name: 'letter-a4',
    label: 'Letter A4, DIN 5008 form B (DL/C5/C6 window envelope)',
    layout: 'letter',
    trim: { width: mm(210), height: mm(297) },
    bleed: 0,
    safe: mm(20),
    pagesPerNote: 1,
    // DIN 5008 form B: the address field is 85×45 mm, 20 mm from the left and 45 mm from the top.
    address: { x: mm(20), y: mm(45), width: mm(85), height: mm(45), returnLine: mm(17.7) },
  },
  {
    name: 'letter-us',
    label: 'US Letter, tri-folded into a #10 window envelope',
    layout: 'letter',
    trim: { width: inch(8.5), height: inch(11) },
    bleed: 0,
    safe: inch(0.75),
    pagesPerNote: 1,
    // A #10 window (4.5×1.125 in, 7/8 in from the left, 1/2 in from the bottom of a 4 1/8 in tall
    // envelope) lands about 2 in below the top of a letter folded in thirds; 0.25 in spare for play.
    address: { x: inch(0.875), y: inch(1.875), width: inch(4), height: inch(1.375), returnLine: inch(0.25) },
  },
];

export const PRINT_FORMATS: ReadonlyMap<string, PrintFormat> = new Map(formats.map((f) => [f.name, f]));
export const printFormatNames = () => [...PRINT_FORMATS.keys()];

export function printFormat(name: string): PrintFormat {
  const format = PRINT_FORMATS.get(name);
  if (!format) {
    throw new AppError('RAPPORT_VALIDATION', `Unknown print format "${name}"; known: ${printFormatNames().join(', ')}`, { field: 'format' });
  }
  return format;
}

/** The PDF page: trim plus bleed on every side. */
export const pageSize = (f: PrintFormat) => ({ width: f.trim.width + 2 * f.bleed, height: f.trim.height + 2 * f.bleed });

/** Page boxes rounded as PDF writers round them (two decimals), for the PDF and for tests. */
export const round2 = (v: number) => Math.round(v * 100) / 100;

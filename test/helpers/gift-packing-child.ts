// A packing run in its own process that kills itself (SIGKILL, no cleanup) once its packing slips
// are written but before it commits: what a power cut or an OOM kill in the middle of a run looks like.
import { createPrintRenderer } from '../../src/delivery/print/render-print.js';
import { runGiftPacking } from '../../src/gifts/packing-run.js';
import { SYSTEM } from '../../src/audit/audit-log.js';
import { openDatabase } from '../../src/infra/database.js';

const db = openDatabase({ url: process.env.DATABASE_URL!, poolSize: 2 });
const renderer = createPrintRenderer({ chromiumPath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', pages: 1, templatesDir: 'templates' });
await runGiftPacking(
  { prisma: db.prisma, renderer, dataDir: process.env.DATA_DIR!, templatesDir: 'templates', paper: 'a4' },
  {
    actor: SYSTEM,
    onProgress: ({ done, total }) => {
      if (done === total) {
        console.log('crashing now');
        process.kill(process.pid, 'SIGKILL');
      }
    },
  },
);
console.log('finished without crashing');

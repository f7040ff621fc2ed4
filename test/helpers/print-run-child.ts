// A print run in its own process that kills itself (SIGKILL, no cleanup) after its first file:
// what a power cut or an OOM kill in the middle of a run looks like.
import { createPrintRenderer } from '../../src/delivery/print/render-print.js';
import { runPrint } from '../../src/delivery/print/print-run.js';
import { SYSTEM } from '../../src/audit/audit-log.js';
import { openDatabase } from '../../src/infra/database.js';

const db = openDatabase({ url: process.env.DATABASE_URL!, poolSize: 2 });
const renderer = createPrintRenderer({ chromiumPath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', pages: 1, templatesDir: 'templates' });
await runPrint(
  { prisma: db.prisma, renderer, dataDir: process.env.DATA_DIR!, defaultFormat: 'card-5x7-flat' },
  {
    actor: SYSTEM,
    cardsPerFile: 1,
    onProgress: ({ done }) => {
      if (done >= Number(process.env.CRASH_AFTER ?? 1)) {
        console.log('crashing now');
        process.kill(process.pid, 'SIGKILL');
      }
    },
  },
);
console.log('finished without crashing');

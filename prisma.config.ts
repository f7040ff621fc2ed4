// Prisma CLI configuration (Prisma 7 reads the connection URL from here, not from schema.prisma).
// Only `prisma generate` is used on machines without the schema engine; migrations are applied by
// `rapport migrate` (src/infra/migrator.ts), which records them in _prisma_migrations like Prisma does.
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/rapport' },
});

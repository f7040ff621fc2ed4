import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { importCustomers } from '../../src/customers/import-customers.js';
import { optOutByLink } from '../../src/consent/opt-out.js';
import { startApiHarness, type ApiHarness } from '../helpers/api-harness.js';

// An opt-out is the customer's decision: no upsert, batch or CSV import can undo it; only the
// resubscribe call with the customer's consent as evidence does, and the audit log says who and why.
describe('opt-outs survive imports and syncs', () => {
  let api: ApiHarness;
  const prisma = () => api.database.db.prisma;
  const optedOutCustomer = async (externalId: string) => {
    const res = await api.post('/api/v1/customers', { externalId, name: 'Phạm Minh Châu', email: `${externalId}@example.vn`, locale: 'vi' });
    assert.equal(res.statusCode, 201);
    assert.equal(await optOutByLink(prisma(), { customerId: res.json().customer.id, oneClick: true }), 'opted_out');
    return res.json().customer.id as string;
  };

  before(async () => {
    api = await startApiHarness();
  });
  after(async () => api?.close());

  test('the API writes the rest of the customer, keeps the opt-out and says so', async () => {
    const id = await optedOutCustomer('oo-1');
    const res = await api.post('/api/v1/customers', { externalId: 'oo-1', name: 'Phạm Minh Châu', city: 'Hà Nội', optedOut: false });
    assert.equal(res.statusCode, 200);
    assert.equal(res.json().customer.optedOut, true);
    assert.equal(res.json().warnings[0].field, 'optedOut');
    assert.match(res.json().warnings[0].message, /cannot opt them back in/);
    const stored = await prisma().customer.findUniqueOrThrow({ where: { id } });
    assert.deepEqual([stored.optedOut, stored.city], [true, 'Hà Nội']);
    const audit = await prisma().auditEntry.findFirstOrThrow({ where: { entityId: id, action: 'customer.updated' }, orderBy: { id: 'desc' } });
    assert.deepEqual(audit.data, { externalId: 'oo-1', optOutKept: true });

    const plain = await api.post('/api/v1/customers', { externalId: 'oo-1', name: 'Phạm Minh Châu' });
    assert.equal(plain.json().warnings, undefined, 'no warning when the sync does not touch the opt-out');
    const optIn = await api.post('/api/v1/customers', { externalId: 'oo-new', name: 'New Person', optedOut: false });
    assert.equal(optIn.statusCode, 201);
    assert.equal(optIn.json().warnings, undefined, 'a customer who never opted out may be sent optedOut=false');
  });

  test('a batch and a CSV import keep it too, and report it', async () => {
    await optedOutCustomer('oo-2');
    await optedOutCustomer('oo-3');
    const batch = await api.post('/api/v1/customers/batch', { customers: [{ externalId: 'oo-x', name: 'X' }, { externalId: 'oo-2', name: 'Châu', optedOut: false }] });
    assert.equal(batch.statusCode, 200);
    const [first, second] = batch.json().results;
    assert.equal(first.warnings, undefined);
    assert.equal(second.status, 'updated');
    assert.equal(second.warnings[0].field, 'customers[1].optedOut');
    const csv = 'externalId,name,optedOut\noo-3,Châu,false\noo-y,Y,false\n';
    const summary = await importCustomers(prisma(), Readable.from([Buffer.from(csv)]), { actor: { type: 'system', id: 'test' } });
    assert.deepEqual([summary.updated, summary.created, summary.rejected, summary.optOutsKept], [1, 1, 0, 1]);
    const kept = await prisma().customer.findMany({ where: { externalId: { in: ['oo-2', 'oo-3'] } } });
    assert.deepEqual(kept.map((c) => c.optedOut), [true, true]);
  });

  test('resubscribe needs evidence, is audited, and is the only way back', async () => {
    const id = await optedOutCustomer('oo-4');
    const noEvidence = await api.post('/api/v1/customers/oo-4/resubscribe', { evidence: 'yes' });
    assert.equal(noEvidence.statusCode, 422);
    assert.equal(noEvidence.json().error.field, 'evidence');
    assert.equal((await api.post('/api/v1/customers/nobody/resubscribe', { evidence: 'signed form at the store' })).statusCode, 404);
    const res = await api.post('/api/v1/customers/oo-4/resubscribe', { evidence: 'Signed the consent form at the Hà Nội store, 2026-11-20' });
    assert.equal(res.statusCode, 200);
    assert.equal(res.json().customer.optedOut, false);
    const audit = await prisma().auditEntry.findFirstOrThrow({ where: { entityId: id, action: 'customer.resubscribed' } });
    assert.equal(audit.reason, 'Signed the consent form at the Hà Nội store, 2026-11-20');
    assert.equal(audit.actorType, 'user');
    const again = await api.post('/api/v1/customers/oo-4/resubscribe', { evidence: 'Signed the consent form again' });
    assert.equal(again.statusCode, 200);
    assert.equal(await prisma().auditEntry.count({ where: { entityId: id, action: 'customer.resubscribed' } }), 1, 'nothing to do, nothing audited');
  });
});

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { findSignals } from './find-signals.js';
import { buildMatchIndex } from './match-index.js';
import type { Polarity, SignalKind } from './signal-kinds.js';

// One account per language; every sentence below names it unambiguously, so these tests are about
// the classification rules alone.
const index = buildMatchIndex([
  { id: 'en', name: 'Acme Corp', aliases: [], domain: null, locale: 'en', keywords: [], contacts: [] },
  { id: 'vi', name: 'Công ty Cổ phần Sữa Việt Nam', aliases: ['Vinamilk'], domain: null, locale: 'vi', keywords: [], contacts: [] },
  { id: 'th', name: 'ธนาคารกรุงเทพ', aliases: ['Bangkok Bank'], domain: null, locale: 'th', keywords: [], contacts: [] },
  { id: 'th2', name: 'เบทาโกร', aliases: ['Betagro'], domain: null, locale: 'th', keywords: [], contacts: [] },
  { id: 'fa', name: 'ایران‌خودرو', aliases: ['ایران خودرو'], domain: null, locale: 'fa', keywords: [], contacts: [] },
]);

function classify(text: string, language: string | null = null): [SignalKind, Polarity] {
  const signals = findSignals(index, { id: 'x', title: '', text, language });
  assert.equal(signals.length, 1, `expected one signal for: ${text}`);
  const [signal] = signals;
  return [signal?.kind ?? 'other', signal?.polarity ?? 'neutral'];
}

type Case = [text: string, kind: SignalKind, polarity: Polarity];

function cases(language: string, list: Case[]): void {
  describe(language, () => {
    for (const [text, kind, polarity] of list) {
      test(`${kind}/${polarity}: ${text}`, () => assert.deepEqual(classify(text, language === 'vi (no diacritics)' ? 'vi' : null), [kind, polarity]));
    }
  });
}

cases('en', [
  ['Acme Corp promoted Jane Doe to chief operating officer.', 'promotion', 'positive'],
  ['Acme Corp won the Green Business Award.', 'award', 'positive'],
  ['Acme Corp closed a $20 million Series B funding round.', 'funding', 'positive'],
  ['Acme Corp opens new plant in Ohio.', 'expansion', 'positive'],
  ['Acme Corp celebrates its 50th anniversary.', 'anniversary', 'positive'],
  ['Acme Corp launched an electric scooter.', 'launch', 'positive'],
  ['Acme Corp acquires Widget Ltd for $3 billion.', 'acquisition', 'positive'],
  ['Acme Corp teams up with Globex on batteries.', 'partnership', 'positive'],
  ['Acme Corp reported record revenue for the quarter.', 'record_results', 'positive'],
  ['Acme Corp recalls 10,000 heaters.', 'recall', 'negative'],
  ['Acme Corp lays off 500 workers.', 'layoffs', 'negative'],
  ['Shareholders sued Acme Corp over misleading statements.', 'lawsuit', 'negative'],
  ['Acme Corp disclosed a data breach affecting two million customers.', 'data_breach', 'negative'],
  ['Acme Corp filed for Chapter 11 protection.', 'bankruptcy', 'negative'],
  ['An explosion at an Acme Corp plant injured three workers.', 'accident', 'negative'],
  ['Acme Corp held its annual meeting on Tuesday.', 'other', 'neutral'],
  ["Acme Corp's award was revoked after the audit.", 'other', 'negative'],
  ['Acme Corp announced a recall despite record sales.', 'recall', 'negative'],
  ['Acme Corp reports record sales despite recall.', 'recall', 'negative'],
  ['Acme Corp denies layoffs.', 'other', 'neutral'],
  ['Acme Corp did not win the award.', 'other', 'neutral'],
  ['The acquisition of Acme Corp was called off.', 'other', 'negative'],
]);

cases('vi', [
  ['Vinamilk bổ nhiệm tân tổng giám đốc.', 'promotion', 'positive'],
  ['Vinamilk nhận giải thưởng doanh nghiệp xuất sắc.', 'award', 'positive'],
  ['Vinamilk khai trương nhà máy mới tại Bình Dương.', 'expansion', 'positive'],
  ['Vinamilk ra mắt sản phẩm sữa hạt.', 'launch', 'positive'],
  ['Vinamilk mua lại 75% cổ phần của Mộc Châu Milk.', 'acquisition', 'positive'],
  ['Vinamilk ký kết thỏa thuận hợp tác chiến lược.', 'partnership', 'positive'],
  ['Vinamilk báo lãi kỷ lục trong quý 3.', 'record_results', 'positive'],
  ['Vinamilk kỷ niệm 45 năm thành lập.', 'anniversary', 'positive'],
  ['Vinamilk thu hồi sản phẩm sữa bị lỗi.', 'recall', 'negative'],
  ['Vinamilk cắt giảm nhân sự tại nhà máy.', 'layoffs', 'negative'],
  ['Vinamilk bị kiện vì vi phạm bản quyền.', 'lawsuit', 'negative'],
  ['Vinamilk bị rò rỉ dữ liệu khách hàng.', 'data_breach', 'negative'],
  ['Hai công nhân bị thương trong vụ cháy tại nhà máy Vinamilk.', 'accident', 'negative'],
  ['Vinamilk lấy ý kiến khách hàng.', 'other', 'neutral'],
  ['Vinamilk bị thu hồi giải thưởng.', 'other', 'negative'],
  ['Vinamilk không cắt giảm nhân sự.', 'other', 'neutral'],
  ['Vinamilk thu hồi sản phẩm dù doanh thu kỷ lục.', 'recall', 'negative'],
]);

cases('vi (no diacritics)', [
  ['Vinamilk ra mat san pham sua hat.', 'launch', 'positive'],
  ['Sua Viet Nam nhan giai thuong doanh nghiep xuat sac.', 'award', 'positive'],
  ['Vinamilk cat giam nhan su tai nha may.', 'layoffs', 'negative'],
  ['Vinamilk bi thu hoi giai thuong.', 'other', 'negative'],
  // One syllable without its marks is too many words ("kien": kiện, kiến, kiên) to count as a lawsuit.
  ['Vinamilk lay y kien khach hang.', 'other', 'neutral'],
]);

cases('th', [
  ['ธนาคารกรุงเทพแต่งตั้งกรรมการผู้จัดการคนใหม่', 'promotion', 'positive'],
  ['ธนาคารกรุงเทพได้รับรางวัลธนาคารยอดเยี่ยมแห่งปี', 'award', 'positive'],
  ['ธนาคารกรุงเทพเปิดตัวแอปพลิเคชันใหม่', 'launch', 'positive'],
  ['ธนาคารกรุงเทพเปิดสาขาใหม่ในเวียดนาม', 'expansion', 'positive'],
  ['ธนาคารกรุงเทพจับมือพันธมิตรญี่ปุ่น', 'partnership', 'positive'],
  ['ธนาคารกรุงเทพมีกำไรสูงสุดเป็นประวัติการณ์', 'record_results', 'positive'],
  ['ธนาคารกรุงเทพฉลองครบรอบ 80 ปี', 'anniversary', 'positive'],
  ['ธนาคารกรุงเทพเลิกจ้างพนักงาน', 'layoffs', 'negative'],
  ['ธนาคารกรุงเทพถูกฟ้องร้องโดยลูกค้า', 'lawsuit', 'negative'],
  ['ธนาคารกรุงเทพถูกแฮกข้อมูลลูกค้า', 'data_breach', 'negative'],
  ['เกิดเพลิงไหม้ที่สำนักงานธนาคารกรุงเทพ', 'accident', 'negative'],
  ['ธนาคารกรุงเทพไม่ได้รับรางวัล', 'other', 'neutral'],
  ['ธนาคารกรุงเทพถูกเพิกถอนรางวัล', 'other', 'negative'],
  ['ธนาคารกรุงเทพยกเลิกการเปิดตัว', 'other', 'negative'],
  ['เบทาโกรเรียกคืนสินค้าแม้ยอดขายสูงสุดเป็นประวัติการณ์', 'recall', 'negative'],
]);

cases('fa', [
  ['ایران‌خودرو از محصول جدید خود رونمایی کرد.', 'launch', 'positive'],
  ['ایران‌خودرو جایزه کیفیت را دریافت کرد.', 'award', 'positive'],
  ['ایران‌خودرو تفاهم‌نامه همکاری با رنو امضا کرد.', 'partnership', 'positive'],
  ['ایران‌خودرو رکورد فروش را شکست.', 'record_results', 'positive'],
  ['ایران‌خودرو ده هزار خودرو را فراخوان کرد.', 'recall', 'negative'],
  ['ایران‌خودرو تعدیل نیرو را آغاز کرد.', 'layoffs', 'negative'],
  ['ایران‌خودرو اعلام ورشکستگی کرد.', 'bankruptcy', 'negative'],
  ['جایزه ایران‌خودرو لغو شد.', 'other', 'negative'],
  ['ایران‌خودرو جایزه را دریافت نکرد.', 'other', 'neutral'],
  ['فراخوان ایران‌خودرو با وجود فروش بی‌سابقه انجام شد.', 'recall', 'negative'],
]);

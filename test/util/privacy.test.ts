import { describe, expect, it } from 'vitest';
import { maskNationalNumbers } from '../../src/util/privacy.js';

describe('maskNationalNumbers', () => {
  it('masks an 11-digit national number, keeping its birth date', () => {
    expect(maskNationalNumbers('85073003328')).toBe('85.07.30-***.**');
    expect(maskNationalNumbers('17073003384')).toBe('17.07.30-***.**');
  });

  it('masks BIS numbers too', () => {
    expect(maskNationalNumbers('98472899765')).toBe('98.47.28-***.**');
    expect(maskNationalNumbers('01490700185')).toBe('01.49.07-***.**');
  });

  it('masks the usual written form with dots and a dash', () => {
    expect(maskNationalNumbers('85.07.30-033.28')).toBe('85.07.30-***.**');
  });

  it('masks the form with spaces', () => {
    expect(maskNationalNumbers('85 07 30 033 28')).toBe('85.07.30-***.**');
  });

  it('masks mixed separators', () => {
    expect(maskNationalNumbers('85-07-30 033.28')).toBe('85.07.30-***.**');
    expect(maskNationalNumbers('850730-03328')).toBe('85.07.30-***.**');
  });

  it('masks a number inside a sentence and keeps the rest', () => {
    expect(maskNationalNumbers('SSIN 85073003328 not found.')).toBe('SSIN 85.07.30-***.** not found.');
    expect(maskNationalNumbers('ssin=85073003328&x=1')).toBe('ssin=85.07.30-***.**&x=1');
    expect(maskNationalNumbers('<ssin>85073003328</ssin>')).toBe('<ssin>85.07.30-***.**</ssin>');
  });

  it('masks every number in a string', () => {
    expect(maskNationalNumbers('85073003328 replaced by 17.07.30-033.84, then 98 47 28 997 65')).toBe(
      '85.07.30-***.** replaced by 17.07.30-***.**, then 98.47.28-***.**',
    );
  });

  it('gives the same result when applied twice', () => {
    const once = maskNationalNumbers('a 85073003328 b');
    expect(maskNationalNumbers(once)).toBe(once);
  });

  it('leaves shorter digit runs alone', () => {
    expect(maskNationalNumbers('8507300332')).toBe('8507300332'); // 10 digits
    expect(maskNationalNumbers('enterprise 0123456789')).toBe('enterprise 0123456789');
    expect(maskNationalNumbers('85.07.30-033.2')).toBe('85.07.30-033.2');
  });

  it('leaves longer digit runs alone', () => {
    expect(maskNationalNumbers('850730033281')).toBe('850730033281'); // 12 digits
    expect(maskNationalNumbers('1850730033281')).toBe('1850730033281'); // 13 digits
    expect(maskNationalNumbers('ticket 20260105200000123')).toBe('ticket 20260105200000123');
  });

  it('does not mask the 11 digits at the end or start of a longer run', () => {
    expect(maskNationalNumbers('985073003328')).toBe('985073003328');
    expect(maskNationalNumbers('850730033289')).toBe('850730033289');
  });

  it('leaves text without numbers untouched', () => {
    expect(maskNationalNumbers('')).toBe('');
    expect(maskNationalNumbers('HTTP 503 after 3 attempts')).toBe('HTTP 503 after 3 attempts');
  });
});

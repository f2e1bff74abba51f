import { describe, expect, it } from 'vitest';
import { formatInsz, isValidInsz, maskInsz, normalizeInsz, parseInsz } from '../../src/policy/insz.js';

const TODAY = { today: Date.UTC(2026, 10, 23) };

/** Builds the number of a person born on year-month-day with a counter (month + offset for BIS). */
function make(year: number, month: number, day: number, counter: number, offset: 0 | 20 | 40 = 0): string {
  const nine = `${String(year % 100).padStart(2, '0')}${String(month + offset).padStart(2, '0')}${String(day).padStart(2, '0')}${String(counter).padStart(3, '0')}`;
  const base = year >= 2000 ? 2_000_000_000 + Number(nine) : Number(nine);
  return `${nine}${String(97 - (base % 97)).padStart(2, '0')}`;
}

/** A seeded generator, so a failure can be replayed. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1_664_525 + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

describe('parseInsz on the vectors of DOMAIN.md', () => {
  it('reads 85073003328 as a man born on 1985-07-30', () => {
    expect(parseInsz('85073003328', TODAY)).toEqual({
      valid: true,
      digits: '85073003328',
      kind: 'national',
      birthYear: 1985,
      birthMonth: 7,
      birthDay: 30,
      birthDate: '1985-07-30',
      sex: 'male',
    });
  });

  it('reads 17073003384 as born in 2017 (the check digits need the 2 prefix)', () => {
    expect(parseInsz('17073003384', TODAY)).toMatchObject({ valid: true, kind: 'national', birthDate: '2017-07-30', sex: 'male' });
  });

  it('reads 98472899765 as a BIS number (month + 40: sex known)', () => {
    expect(parseInsz('98472899765', TODAY)).toMatchObject({ valid: true, kind: 'bis', birthDate: '1998-07-28', sex: 'male' });
  });

  it('reads 01490700185 as a BIS number from 2001', () => {
    expect(parseInsz('01490700185', TODAY)).toMatchObject({ valid: true, kind: 'bis', birthDate: '2001-09-07', sex: 'male' });
  });

  it('isValidInsz agrees', () => {
    for (const n of ['85073003328', '17073003384', '98472899765', '01490700185']) expect(isValidInsz(n, TODAY)).toBe(true);
  });
});

describe('separators', () => {
  it('accepts spaces, dots and dashes around the digits', () => {
    for (const written of ['85.07.30-033.28', '85 07 30 033 28', '850730-033-28', ' 85073003328 ', '85-07-30 033.28']) {
      expect(parseInsz(written, TODAY)).toMatchObject({ valid: true, digits: '85073003328' });
    }
  });

  it('refuses other characters, and too few or too many digits', () => {
    for (const bad of ['85073003328x', '85/07/30-033.28', '8507300332', '850730033281', '', '   ', 'eighty-five', '８５073003328']) {
      expect(parseInsz(bad, TODAY)).toMatchObject({ valid: false, code: 'INSZ_FORMAT' });
    }
  });

  it('normalizeInsz and formatInsz give the digits and the written form', () => {
    expect(normalizeInsz('85.07.30-033.28')).toBe('85073003328');
    expect(formatInsz('85073003328')).toBe('85.07.30-033.28');
    expect(formatInsz('123')).toBeUndefined();
  });
});

describe('every rule', () => {
  it('the counter is never 000', () => {
    const n = make(1985, 7, 30, 0);
    expect(parseInsz(n, TODAY)).toMatchObject({ valid: false, code: 'INSZ_COUNTER' });
  });

  it('the month is 0–12, 20–32 or 40–52', () => {
    for (const month of [13, 19, 33, 39, 53, 99]) {
      const nine = `85${String(month).padStart(2, '0')}30033`;
      const n = `${nine}${String(97 - (Number(nine) % 97)).padStart(2, '0')}`;
      expect(parseInsz(n, TODAY), `month ${month}`).toMatchObject({ valid: false, code: 'INSZ_MONTH' });
    }
    for (const [month, offset] of [
      [0, 0],
      [12, 0],
      [0, 20],
      [12, 20],
      [0, 40],
      [12, 40],
    ] as const) {
      expect(isValidInsz(make(1985, month, 1, 33, offset), TODAY), `month ${month} + ${offset}`).toBe(true);
    }
  });

  it('the day is at most 31', () => {
    const nine = '850732033';
    const n = `${nine}${String(97 - (Number(nine) % 97)).padStart(2, '0')}`;
    expect(parseInsz(n, TODAY)).toMatchObject({ valid: false, code: 'INSZ_DAY' });
  });

  it('wrong check digits are refused', () => {
    expect(parseInsz('85073003329', TODAY)).toMatchObject({ valid: false, code: 'INSZ_CHECK_DIGITS' });
    expect(parseInsz('85073003300', TODAY)).toMatchObject({ valid: false, code: 'INSZ_CHECK_DIGITS' });
  });

  it('a 20xx reading is refused when that year is in the future, accepted once it is not', () => {
    const n = make(2027, 1, 15, 1);
    expect(parseInsz(n, TODAY)).toMatchObject({ valid: false, code: 'INSZ_FUTURE' });
    expect(parseInsz(n, { today: Date.UTC(2027, 0, 1) })).toMatchObject({ valid: true, birthDate: '2027-01-15' });
    expect(parseInsz(make(2026, 12, 31, 2), TODAY)).toMatchObject({ valid: true, birthYear: 2026 });
  });

  it('the date must exist in the century the check digits give', () => {
    // 29 February: 2000 was a leap year, 1900 was not.
    expect(parseInsz(make(2000, 2, 29, 1), TODAY)).toMatchObject({ valid: true, birthDate: '2000-02-29' });
    expect(parseInsz(make(1900, 2, 29, 1), TODAY)).toMatchObject({ valid: false, code: 'INSZ_DATE' });
    expect(parseInsz(make(1985, 4, 31, 1), TODAY)).toMatchObject({ valid: false, code: 'INSZ_DATE' });
    expect(parseInsz(make(1985, 4, 31, 1, 40), TODAY)).toMatchObject({ valid: false, code: 'INSZ_DATE' });
  });

  it('an unknown month or day (00) is valid, with the date left out', () => {
    expect(parseInsz(make(1985, 0, 0, 1), TODAY)).toStrictEqual({ valid: true, digits: make(1985, 0, 0, 1), kind: 'national', birthYear: 1985, sex: 'male' });
    expect(parseInsz(make(1985, 0, 31, 2), TODAY)).toMatchObject({ valid: true, birthYear: 1985, birthDay: 31, sex: 'female' });
    expect(parseInsz(make(1985, 0, 31, 2), TODAY)).not.toHaveProperty('birthDate');
    expect(parseInsz(make(1985, 2, 0, 2), TODAY)).toMatchObject({ valid: true, birthMonth: 2 });
  });

  it('the sex is read from the counter, and unknown for a BIS number with month + 20', () => {
    expect(parseInsz(make(1985, 7, 30, 998), TODAY)).toMatchObject({ sex: 'female' });
    expect(parseInsz(make(1985, 7, 30, 999), TODAY)).toMatchObject({ sex: 'male' });
    expect(parseInsz(make(1985, 7, 30, 999, 20), TODAY)).not.toHaveProperty('sex');
    expect(parseInsz(make(1985, 7, 30, 998, 40), TODAY)).toMatchObject({ kind: 'bis', sex: 'female' });
  });

  it('reasons never contain the number', () => {
    for (const bad of [make(1985, 7, 30, 0), '85073003329', make(2027, 1, 15, 1), make(1985, 4, 31, 1)]) {
      const parsed = parseInsz(bad, TODAY);
      expect(parsed.valid).toBe(false);
      if (!parsed.valid) expect(parsed.reason).not.toContain(bad.slice(6));
    }
  });
});

describe('generated numbers', () => {
  const random = seeded(20_261_123);
  const pick = (n: number) => Math.floor(random() * n);

  it('numbers built for random dates, counters and kinds in both centuries are valid and read back', () => {
    for (let i = 0; i < 2_000; i++) {
      const year = 1900 + pick(127); // 1900..2026
      const month = 1 + pick(12);
      const day = 1 + pick(28);
      const counter = 1 + pick(998);
      const offset = ([0, 20, 40] as const)[pick(3)]!;
      const n = make(year, month, day, counter, offset);
      const parsed = parseInsz(n, TODAY);
      expect(parsed, n).toMatchObject({ valid: true, digits: n, kind: offset === 0 ? 'national' : 'bis', birthYear: year, birthMonth: month, birthDay: day });
    }
  });

  it('changing any single digit makes the number invalid or changes what it says', () => {
    let flipped = 0;
    let invalidCount = 0;
    for (let i = 0; i < 300; i++) {
      const n = make(1900 + pick(127), 1 + pick(12), 1 + pick(28), 1 + pick(998), ([0, 20, 40] as const)[pick(3)]!);
      const original = parseInsz(n, TODAY);
      for (let position = 0; position < 11; position++) {
        for (let digit = 0; digit <= 9; digit++) {
          if (String(digit) === n[position]) continue;
          const mutated = `${n.slice(0, position)}${digit}${n.slice(position + 1)}`;
          const parsed = parseInsz(mutated, TODAY);
          // 97 is prime and above 10, so one changed digit never keeps the same check digits; at
          // most it moves the number to the other century, which changes the birth year.
          if (parsed.valid && original.valid) expect(parsed.birthYear, `${n} → ${mutated}`).not.toBe(original.birthYear);
          if (parsed.valid) flipped++;
          else invalidCount++;
        }
      }
      expect(original.valid).toBe(true);
    }
    expect(invalidCount).toBeGreaterThan(flipped * 10); // nearly always invalid
  });

  it('no number is valid under both centuries (the check digits decide)', () => {
    for (let i = 0; i < 5_000; i++) {
      const nine = 1 + pick(999_999_999);
      expect(97 - (nine % 97)).not.toBe(97 - ((2_000_000_000 + nine) % 97));
    }
  });
});

describe('maskInsz', () => {
  it('keeps only the birth-date part, like every mask of the library', () => {
    expect(maskInsz('85073003328')).toBe('85.07.30-***.**');
    expect(maskInsz('85.07.30-033.28')).toBe('85.07.30-***.**');
    expect(maskInsz('not a number')).toBe('***');
  });
});

//! Reading a decimal number from text without `core`'s float parser (issue 15).
//!
//! `str::parse::<f64>` brings `core::num::dec2flt` into the module: the Eisel-Lemire fast path
//! with its table of 128-bit powers of five (about 10 KB of data) and the slow path's decimal
//! buffer, about 16 KB before gzip. The module reads numbers from text in a handful of places
//! (a timestamp or a count given as a string, the rate-limit headers), rarely and in short
//! strings, so [`parse_f64`] reads them with one exact method instead: the decimal's digits
//! become a big integer, and one long division by the power of ten (or a product with it)
//! gives the binary digits, rounded to nearest, ties to even, as `core` rounds. Up to 15 digits
//! and a power of ten up to 10^22 (timestamps, counts), both are exact in an `f64` and one
//! multiplication or division gives the same result (`core`'s fast path too).
//!
//! [`parse_f64`] accepts exactly what `str::parse::<f64>` accepts (an optional sign, digits
//! with an optional point and at least one digit, an optional exponent with at least one digit;
//! `inf`, `infinity` and `nan` in any case; no spaces, no `_`) and gives the same `f64`, bit for
//! bit (tested against it over edge cases, the halfway points between neighbouring floats and
//! generated numbers).

use std::cmp::Ordering;

/// `s.parse::<f64>().ok()`, the same value bit for bit (see the module's text).
pub(crate) fn parse_f64(s: &str) -> Option<f64> {
    let b = s.as_bytes();
    let (negative, b) = match b.first()? {
        b'-' => (true, &b[1..]),
        b'+' => (false, &b[1..]),
        _ => (false, b),
    };
    if b.is_empty() {
        return None;
    }
    let value = match Decimal::parse(b) {
        Some(d) => d.to_f64(),
        None => special(b)?,
    };
    Some(if negative { -value } else { value })
}

/// `inf`, `infinity` or `nan`, in any case.
fn special(b: &[u8]) -> Option<f64> {
    let is = |word: &str| b.eq_ignore_ascii_case(word.as_bytes());
    if is("inf") || is("infinity") {
        Some(f64::INFINITY)
    } else if is("nan") {
        Some(f64::NAN)
    } else {
        None
    }
}

/// Significant digits past which the rest only counts as "something more": a float's halfway
/// point has at most 767 significant digits, so any of them compares with the digits kept plus
/// one nonzero digit as it does with the whole number.
const MAX_DIGITS: usize = 800;

/// A non-negative decimal `0.d₁d₂…dₙ × 10^point`: `digits` (values 0-9) with no leading or
/// trailing zero; no digits is zero.
struct Decimal {
    digits: Vec<u8>,
    point: i64,
}

impl Decimal {
    /// Digits with an optional point (at least one digit), then an optional exponent (`e` or
    /// `E`, an optional sign, at least one digit), and nothing after. The exponent stops growing
    /// once it reaches 65,536, as `core`'s does (the value is infinite or zero well before).
    fn parse(b: &[u8]) -> Option<Decimal> {
        let mut i = 0;
        let mut all = Vec::new();
        let mut int_len = 0i64;
        while let Some(&c) = b.get(i).filter(|c| c.is_ascii_digit()) {
            all.push(c - b'0');
            int_len += 1;
            i += 1;
        }
        if b.get(i) == Some(&b'.') {
            i += 1;
            while let Some(&c) = b.get(i).filter(|c| c.is_ascii_digit()) {
                all.push(c - b'0');
                i += 1;
            }
        }
        if all.is_empty() {
            return None;
        }
        let mut exponent = 0i64;
        if matches!(b.get(i), Some(b'e' | b'E')) {
            i += 1;
            let negative = b.get(i) == Some(&b'-');
            if matches!(b.get(i), Some(b'-' | b'+')) {
                i += 1;
            }
            if !b.get(i).is_some_and(u8::is_ascii_digit) {
                return None;
            }
            while let Some(&c) = b.get(i).filter(|c| c.is_ascii_digit()) {
                if exponent < 0x10000 {
                    exponent = 10 * exponent + i64::from(c - b'0');
                }
                i += 1;
            }
            if negative {
                exponent = -exponent;
            }
        }
        if i != b.len() {
            return None;
        }
        let leading = all.iter().take_while(|&&d| d == 0).count();
        let trailing = all[leading..].iter().rev().take_while(|&&d| d == 0).count();
        let mut digits = all[leading..all.len() - trailing].to_vec();
        if digits.len() > MAX_DIGITS {
            digits.truncate(MAX_DIGITS);
            digits.push(1);
        }
        Some(Decimal {
            digits,
            point: int_len - leading as i64 + exponent,
        })
    }

    /// The nearest `f64`, ties to even; infinity past the largest.
    fn to_f64(&self) -> f64 {
        if self.digits.is_empty() || self.point < -324 {
            // Below 10^-325, under half the smallest subnormal (2^-1075 ≈ 2.47e-324).
            return 0.0;
        }
        if self.point > 310 {
            // At least 10^310, past f64::MAX (≈ 1.8e308).
            return f64::INFINITY;
        }
        let q = self.point - self.digits.len() as i64;
        if self.digits.len() <= 15 && (-22..=22).contains(&q) {
            // The common case (a timestamp, a count): the digits and the power of ten are both
            // exact in an f64, so one multiplication or division rounds once, correctly.
            let d = self
                .digits
                .iter()
                .fold(0.0, |n, &c| n * 10.0 + f64::from(c));
            let p = (0..q.unsigned_abs()).fold(1.0, |p, _| p * 10.0);
            return if q < 0 { d / p } else { d * p };
        }
        let mut num = Big::from_digits(&self.digits);
        let mut den = Big(vec![1]);
        if q >= 0 {
            num.mul_pow10(q as usize);
        } else {
            den.mul_pow10(q.unsigned_abs() as usize);
        }
        // num / den lies in (2^(k-1), 2^(k+1)); scaled by 2^s it lies in (2^64, 2^66).
        let k = num.bit_len() as i64 - den.bit_len() as i64;
        let s = 65 - k;
        if s >= 0 {
            num.shl(s as usize);
        } else {
            den.shl(s.unsigned_abs() as usize);
        }
        let quotient = num.div_rem(&den, 67);
        let sticky = !num.is_zero();
        round(quotient, sticky, -s)
    }
}

/// The `f64` nearest to `(quotient + r) × 2^exp2`, `0 ≤ r < 1` and `r > 0` when `sticky`;
/// `quotient` has 65 or 66 bits.
fn round(quotient: u128, sticky: bool, exp2: i64) -> f64 {
    let len = 128 - i64::from(quotient.leading_zeros());
    // The value lies in [2^e, 2^(e+1)).
    let e = len - 1 + exp2;
    if e > 1023 {
        return f64::INFINITY;
    }
    // Bits kept: 53 for a normal number, fewer for a subnormal one (none at 2^-1075).
    let kept = if e >= -1022 { 53 } else { e + 1075 };
    if kept < 0 {
        return 0.0;
    }
    let dropped = (len - kept) as u32;
    let mut m = quotient >> dropped;
    let rest = quotient & ((1u128 << dropped) - 1);
    let half = 1u128 << (dropped - 1);
    if rest > half || (rest == half && (sticky || m & 1 == 1)) {
        m += 1;
    }
    if e < -1022 {
        // Subnormal: the bits are the mantissa; 2^52 after rounding up is the smallest normal.
        return f64::from_bits(m as u64);
    }
    let (m, e) = if m == 1 << 53 {
        (m >> 1, e + 1)
    } else {
        (m, e)
    };
    if e > 1023 {
        return f64::INFINITY;
    }
    f64::from_bits((((e + 1023) as u64) << 52) | (m as u64 & ((1 << 52) - 1)))
}

/// A non-negative big integer: 32-bit limbs, least significant first, no zero limb at the top.
struct Big(Vec<u32>);

impl Big {
    fn from_digits(digits: &[u8]) -> Big {
        let mut n = Big(Vec::new());
        for &d in digits {
            n.mul_add(10, u32::from(d));
        }
        n
    }

    fn mul_add(&mut self, m: u32, add: u32) {
        let mut carry = u64::from(add);
        for limb in &mut self.0 {
            let v = u64::from(*limb) * u64::from(m) + carry;
            *limb = v as u32;
            carry = v >> 32;
        }
        if carry > 0 {
            self.0.push(carry as u32);
        }
    }

    fn mul_pow10(&mut self, mut n: usize) {
        while n >= 9 {
            self.mul_add(1_000_000_000, 0);
            n -= 9;
        }
        self.mul_add(10u32.pow(n as u32), 0);
    }

    fn is_zero(&self) -> bool {
        self.0.is_empty()
    }

    fn bit_len(&self) -> usize {
        self.0
            .last()
            .map_or(0, |top| 32 * self.0.len() - top.leading_zeros() as usize)
    }

    fn shl(&mut self, n: usize) {
        let (limbs, bits) = (n / 32, n % 32);
        if bits > 0 {
            let mut carry = 0;
            for limb in &mut self.0 {
                let v = (*limb << bits) | carry;
                carry = *limb >> (32 - bits);
                *limb = v;
            }
            if carry > 0 {
                self.0.push(carry);
            }
        }
        if !self.is_zero() {
            // `limbs` zero limbs first (an `append`, not a `splice`: no Splice and Drain code
            // over `u32` for this one call, issue 15).
            let mut shifted = vec![0u32; limbs];
            shifted.append(&mut self.0);
            self.0 = shifted;
        }
    }

    fn shr1(&mut self) {
        let mut carry = 0;
        for limb in self.0.iter_mut().rev() {
            let v = (*limb >> 1) | carry;
            carry = *limb << 31;
            *limb = v;
        }
        self.trim();
    }

    fn trim(&mut self) {
        while self.0.last() == Some(&0) {
            self.0.pop();
        }
    }

    fn cmp(&self, other: &Big) -> Ordering {
        self.0
            .len()
            .cmp(&other.0.len())
            .then_with(|| self.0.iter().rev().cmp(other.0.iter().rev()))
    }

    /// `self -= other`, `other` not larger.
    fn sub(&mut self, other: &Big) {
        let mut borrow = 0i64;
        for (i, limb) in self.0.iter_mut().enumerate() {
            let v = i64::from(*limb) - i64::from(other.0.get(i).copied().unwrap_or(0)) - borrow;
            borrow = i64::from(v < 0);
            *limb = v.rem_euclid(1 << 32) as u32;
        }
        self.trim();
    }

    /// `self / den` when it is below 2^bits (restoring division, one bit at a time); `self`
    /// keeps the remainder.
    fn div_rem(&mut self, den: &Big, bits: u32) -> u128 {
        let mut d = Big(den.0.clone());
        d.shl(bits as usize - 1);
        let mut q = 0u128;
        for i in (0..bits).rev() {
            if self.cmp(&d) != Ordering::Less {
                self.sub(&d);
                q |= 1 << i;
            }
            d.shr1();
        }
        q
    }
}

#[cfg(test)]
mod tests {
    use super::parse_f64;

    /// `parse_f64` against `str::parse::<f64>`, bit for bit.
    fn same(s: &str) {
        let ours = parse_f64(s).map(f64::to_bits);
        let core = s.parse::<f64>().ok().map(f64::to_bits);
        assert_eq!(
            ours,
            core,
            "{s:?}: ours {:?}, core {:?}",
            parse_f64(s),
            s.parse::<f64>().ok()
        );
    }

    #[test]
    fn the_grammar_is_cores() {
        for s in [
            "",
            "+",
            "-",
            ".",
            "e",
            "e5",
            "1e",
            "1e+",
            "1e-",
            "1.",
            ".5",
            "-.5",
            "+.5",
            "1.e5",
            ".e5",
            "+1",
            "--1",
            "+-1",
            "-+1",
            "1+",
            " 1",
            "1 ",
            "1_0",
            "0x10",
            "1e5.5",
            "1.2.3",
            "1e5e5",
            "1E5",
            "1e+05",
            "1e-05",
            "inf",
            "-inf",
            "+inf",
            "INF",
            "Inf",
            "infinity",
            "Infinity",
            "-INFINITY",
            "infinit",
            "infinityy",
            "in",
            "nan",
            "NaN",
            "-nan",
            "+NAN",
            "nana",
            "0",
            "-0",
            "+0",
            "0.0",
            "-0.0",
            "00",
            "000001",
            "0.000",
            ".0",
            "0.",
            "1,5",
            "١",
            "1\u{0}",
            "e",
            "E1",
            "-e1",
            "--",
            "0e",
            "0e0",
            "-0e-0",
            "5.",
            "5.e",
            "5.e-",
        ] {
            same(s);
        }
    }

    #[test]
    fn edges_read_as_core_reads_them() {
        for s in [
            "1",
            "1.5",
            "-1.5",
            "0.1",
            "0.2",
            "0.3",
            "1700000000000",
            "1700000000000.5",
            "1700000000.0005",
            "1700000000.1235",
            "1.7e12",
            "1.0005",
            "2.5",
            "9007199254740991",
            "9007199254740992",
            "9007199254740993",
            "9007199254740993.0000000000000001",
            "9007199254740995",
            "18446744073709551615",
            "18446744073709551616",
            "340282366920938463463374607431768211456",
            "0.99999999999999999999",
            "0.9999999999999999",
            "4503599627370495.5",
            "4503599627370496.5",
            "1e308",
            "1.7976931348623157e308",
            "1.7976931348623158e308",
            "1.7976931348623159e308",
            "179769313486231580793728971405301e276",
            "179769313486231580793728971405302e276",
            "1e309",
            "1e310",
            "1e311",
            "2.2250738585072011e-308",
            "2.2250738585072012e-308",
            "2.2250738585072014e-308",
            "4.9e-324",
            "5e-324",
            "2.4703282292062327e-324",
            "2.4703282292062328e-324",
            "2.47032822920623272088e-324",
            "7.4109846876186982e-324",
            "1e-320",
            "1e-324",
            "1e-325",
            "1e-400",
            "0e999999999",
            "1e999999999",
            "1e-999999999",
            "123456789e-999999999",
            "1e65535",
            "1e65536",
            "1e-65536",
            "0.0000000000000000000000000000001e31",
            "100000000000000000000000000000000000000000000000000e-50",
            "1e22",
            "1e23",
            "8.5e22",
            "9007199254740993e22",
            "123456789012345678901234567890",
            "0.000000000000000000000000000000000000000000001",
        ] {
            same(s);
            same(&format!("-{s}"));
        }
        // Many digits: past the kept 800, with and without anything after them.
        let long = "1".repeat(1000);
        same(&long);
        same(&format!("0.{long}"));
        same(&format!("{}e-700", "9".repeat(900)));
        same(&format!("1{}1e-300", "0".repeat(900)));
        same(&format!("1{}", "0".repeat(900)));
        // A halfway point, then something past the 800th digit: rounds up, not to even.
        same(&format!(
            "1.00000000000000011102230246251565404236316680908203125{}1",
            "0".repeat(900)
        ));
        same(&format!("9007199254740993.{}1", "0".repeat(900)));
        // The exponent stops growing at 65,536 digits of leading zeros later.
        same(&format!("0.{}1e70000", "0".repeat(70_000)));
        same(&format!("0.{}1e700000", "0".repeat(70_000)));
        same(&format!("{}e-70000", "1".repeat(10)));
    }

    /// The exact decimal expansion of a finite, non-negative `f64`: (digits, exponent of the
    /// first digit's place), from `core`'s exact formatting.
    fn exact(x: f64) -> (Vec<u8>, i64) {
        let s = format!("{x:.1100e}");
        let (mantissa, exp) = s.split_once('e').unwrap();
        let digits: Vec<u8> = mantissa
            .bytes()
            .filter(u8::is_ascii_digit)
            .map(|b| b - b'0')
            .collect();
        (digits, exp.parse().unwrap())
    }

    /// The exact decimal halfway between two neighbouring floats `a < b`, as text.
    fn halfway(a: f64, b: f64) -> String {
        let ((da, ea), (db, eb)) = (exact(a), exact(b));
        let top = ea.max(eb);
        // Both on the same grid of places, from 10^top down: sum them, then halve.
        let len = 1200usize;
        let place = |d: &[u8], e: i64| {
            let mut v = vec![0u32; len];
            for (i, &x) in d.iter().enumerate() {
                let at = (top - e) as usize + i + 1;
                if at < len {
                    v[at] = u32::from(x);
                }
            }
            v
        };
        let (pa, pb) = (place(&da, ea), place(&db, eb));
        let mut sum = vec![0u32; len];
        let mut carry = 0;
        for i in (0..len).rev() {
            let v = pa[i] + pb[i] + carry;
            sum[i] = v % 10;
            carry = v / 10;
        }
        let mut half = vec![0u32; len + 1];
        let mut rem = 0;
        for i in 0..len {
            let v = rem * 10 + sum[i];
            half[i] = v / 2;
            rem = v % 2;
        }
        half[len] = rem * 5;
        let text: String = half.iter().map(|d| char::from(b'0' + *d as u8)).collect();
        // half[0] is the 10^(top+1) place: 0.h₀h₁… × 10^(top+2).
        format!("0.{text}e{}", top + 2)
    }

    /// A float's halfway points to its neighbours, each exactly and a hair above and below.
    fn around(x: f64) {
        same(&format!("{x:e}"));
        same(&format!("{x:.20e}"));
        for y in [
            f64::from_bits(x.to_bits() + 1),
            f64::from_bits(x.to_bits().wrapping_sub(1)),
        ] {
            if !y.is_finite() || y < 0.0 || x.to_bits() == 0 && y != f64::from_bits(1) {
                continue;
            }
            let (a, b) = if x < y { (x, y) } else { (y, x) };
            let mid = halfway(a, b);
            let (mantissa, exp) = mid.split_once('e').unwrap();
            let trimmed = mantissa.trim_end_matches('0');
            same(&format!("{trimmed}e{exp}"));
            same(&format!("{trimmed}0000000001e{exp}"));
            // A hair below: the last digit one less, then nines.
            let mut below: Vec<u8> = trimmed.bytes().collect();
            let last = below.len() - 1;
            below[last] -= 1;
            let below = String::from_utf8(below).unwrap();
            same(&format!("{below}9999999999e{exp}"));
        }
    }

    #[test]
    fn halfway_points_round_as_core_rounds() {
        for x in [
            1.0,
            0.5,
            1.5,
            2.0,
            1e22,
            1e23,
            9007199254740992.0,
            1700000000000.0,
            1700000000.123,
            f64::MAX,
            f64::MIN_POSITIVE,
            f64::from_bits(1),
            f64::from_bits(2),
            f64::from_bits(3),
            f64::from_bits((1 << 52) - 1),
            f64::from_bits(1 << 52),
            0.1,
            123456.789,
            2.2250738585072014e-308,
        ] {
            around(x);
        }
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = || crate::test_rng::xorshift(&mut state);
        for _ in 0..200 {
            let x = f64::from_bits(next() >> 1);
            if x.is_finite() {
                around(x);
            }
        }
        // Near the numbers the module reads: timestamps, counts, waits.
        for _ in 0..300 {
            let x = (next() % 300_000_000_000_000) as f64 / 1000.0;
            around(x);
        }
    }

    #[test]
    fn generated_decimals_read_as_core_reads_them() {
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = move || crate::test_rng::xorshift(&mut state);
        for _ in 0..20_000 {
            let n_int = (next() % 25) as usize;
            let n_frac = (next() % 25) as usize;
            let digit = |r: u64| char::from(b'0' + (r % 10) as u8);
            let int: String = (0..n_int).map(|_| digit(next())).collect();
            let frac: String = (0..n_frac).map(|_| digit(next())).collect();
            let mut s = int.clone();
            if next() % 2 == 0 || int.is_empty() {
                s.push('.');
                s.push_str(&frac);
            }
            match next() % 3 {
                0 => {}
                1 => s.push_str(&format!("e{}", (next() % 700) as i64 - 350)),
                _ => s.push_str(&format!("E+{}", next() % 40)),
            }
            same(&s);
        }
    }
}

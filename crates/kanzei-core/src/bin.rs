//! A small binary codec for derived tables shipped beside the snapshot (the pre-indexed
//! tariff data, `data/tariff_index.bin`): little-endian numbers, lengths as `u64`, strings
//! as UTF-8 with their length, maps in key order so that the same tables always give the
//! same bytes.
//!
//! It is a cache of what the CSV loaders derive, never a source: a reader that finds
//! anything unexpected returns a [`BinError`] naming the byte offset and what it read.

use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasher, Hash};

/// Why bytes could not be decoded.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{file}: byte {offset}: {message}")]
pub struct BinError {
    /// The file (or table) being decoded.
    pub file: String,
    /// Byte offset of the value that failed.
    pub offset: usize,
    /// What was wrong.
    pub message: String,
}

/// Appends encoded values.
#[derive(Default)]
pub struct Writer {
    buf: Vec<u8>,
}

impl Writer {
    /// An empty writer.
    pub fn new() -> Writer {
        Writer::default()
    }

    /// The bytes written.
    pub fn into_bytes(self) -> Vec<u8> {
        self.buf
    }

    /// Raw bytes (no length).
    #[inline]
    pub fn raw(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    /// A length or count (LEB128: 7 bits a byte, so most take one byte).
    #[inline]
    pub fn len(&mut self, n: usize) {
        let mut n = n as u64;
        while n >= 0x80 {
            self.buf.push((n as u8 & 0x7f) | 0x80);
            n >>= 7;
        }
        self.buf.push(n as u8);
    }
}

/// Reads encoded values from a byte slice.
pub struct Reader<'a> {
    file: &'a str,
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    /// A reader over `bytes` (from `file`, for messages).
    pub fn new(file: &'a str, bytes: &'a [u8]) -> Reader<'a> {
        Reader { file, bytes, pos: 0 }
    }

    /// An error at the current offset.
    #[cold]
    pub fn error(&self, message: impl Into<String>) -> BinError {
        BinError { file: self.file.to_string(), offset: self.pos, message: message.into() }
    }

    /// The next `n` bytes.
    #[inline]
    pub fn take(&mut self, n: usize) -> Result<&'a [u8], BinError> {
        let end = self.pos.checked_add(n).filter(|&e| e <= self.bytes.len()).ok_or_else(|| self.error(format!("{n} bytes wanted, the data end")))?;
        let out = &self.bytes[self.pos..end];
        self.pos = end;
        Ok(out)
    }

    /// A length or count, checked against the bytes left (each element takes at least
    /// `min_size` bytes), so a corrupt length cannot ask for a huge allocation.
    #[inline]
    pub fn len(&mut self, min_size: usize) -> Result<usize, BinError> {
        let mut n: u64 = 0;
        let mut shift = 0;
        loop {
            let byte = u8::get(self)?;
            if shift > 63 {
                return Err(self.error("a count longer than 64 bits"));
            }
            n |= u64::from(byte & 0x7f) << shift;
            if byte < 0x80 {
                break;
            }
            shift += 7;
        }
        let left = (self.bytes.len() - self.pos) as u64;
        if n.saturating_mul(min_size.max(1) as u64) > left {
            return Err(self.error(format!("a count of {n} does not fit in the {left} bytes left")));
        }
        Ok(n as usize)
    }

    /// Whether every byte was read.
    pub fn finish(&self) -> Result<(), BinError> {
        if self.pos == self.bytes.len() {
            Ok(())
        } else {
            Err(self.error(format!("{} bytes left over", self.bytes.len() - self.pos)))
        }
    }
}

/// A value with a binary form.
pub trait Bin: Sized {
    /// Appends the value.
    fn put(&self, w: &mut Writer);
    /// Reads a value.
    fn get(r: &mut Reader<'_>) -> Result<Self, BinError>;
    /// The fewest bytes a value takes (for checking counts).
    const MIN_SIZE: usize = 1;
}

macro_rules! number {
    ($($t:ty),*) => {$(
        impl Bin for $t {
            #[inline]
            fn put(&self, w: &mut Writer) {
                w.buf.extend_from_slice(&self.to_le_bytes());
            }
            #[inline]
            fn get(r: &mut Reader<'_>) -> Result<Self, BinError> {
                let bytes = r.take(std::mem::size_of::<$t>())?;
                Ok(<$t>::from_le_bytes(bytes.try_into().expect("took the size")))
            }
            const MIN_SIZE: usize = std::mem::size_of::<$t>();
        }
    )*};
}
number!(u8, u16, u32, u64, i32, f64);

impl Bin for usize {
    #[inline]
    fn put(&self, w: &mut Writer) {
        (*self as u64).put(w);
    }
    #[inline]
    fn get(r: &mut Reader<'_>) -> Result<Self, BinError> {
        let v = u64::get(r)?;
        usize::try_from(v).map_err(|_| r.error(format!("{v} does not fit a usize")))
    }
    const MIN_SIZE: usize = 1;
}

impl Bin for bool {
    #[inline]
    fn put(&self, w: &mut Writer) {
        u8::from(*self).put(w);
    }
    #[inline]
    fn get(r: &mut Reader<'_>) -> Result<Self, BinError> {
        match u8::get(r)? {
            0 => Ok(false),
            1 => Ok(true),
            b => Err(r.error(format!("{b} is not a bool"))),
        }
    }
}

impl Bin for String {
    #[inline]
    fn put(&self, w: &mut Writer) {
        w.len(self.len());
        w.raw(self.as_bytes());
    }
    #[inline]
    fn get(r: &mut Reader<'_>) -> Result<Self, BinError> {
        let n = r.len(1)?;
        let bytes = r.take(n)?;
        std::str::from_utf8(bytes).map(str::to_string).map_err(|e| r.error(format!("not UTF-8: {e}")))
    }
    const MIN_SIZE: usize = 1;
}

impl<T: Bin> Bin for Option<T> {
    #[inline]
    fn put(&self, w: &mut Writer) {
        match self {
            None => 0u8.put(w),
            Some(v) => {
                1u8.put(w);
                v.put(w);
            }
        }
    }
    #[inline]
    fn get(r: &mut Reader<'_>) -> Result<Self, BinError> {
        match u8::get(r)? {
            0 => Ok(None),
            1 => Ok(Some(T::get(r)?)),
            b => Err(r.error(format!("{b} is not an option tag"))),
        }
    }
}

impl<T: Bin> Bin for Vec<T> {
    #[inline]
    fn put(&self, w: &mut Writer) {
        w.len(self.len());
        for v in self {
            v.put(w);
        }
    }
    #[inline]
    fn get(r: &mut Reader<'_>) -> Result<Self, BinError> {
        let n = r.len(T::MIN_SIZE)?;
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            out.push(T::get(r)?);
        }
        Ok(out)
    }
    const MIN_SIZE: usize = 1;
}

impl<T: Bin + Copy + Default, const N: usize> Bin for [T; N] {
    #[inline]
    fn put(&self, w: &mut Writer) {
        for v in self {
            v.put(w);
        }
    }
    #[inline]
    fn get(r: &mut Reader<'_>) -> Result<Self, BinError> {
        let mut out = [T::default(); N];
        for slot in &mut out {
            *slot = T::get(r)?;
        }
        Ok(out)
    }
}

macro_rules! tuple {
    ($($name:ident),+) => {
        impl<$($name: Bin),+> Bin for ($($name,)+) {
            #[allow(non_snake_case)]
            #[inline]
            fn put(&self, w: &mut Writer) {
                let ($($name,)+) = self;
                $($name.put(w);)+
            }
            #[inline]
            fn get(r: &mut Reader<'_>) -> Result<Self, BinError> {
                Ok(($($name::get(r)?,)+))
            }
        }
    };
}
tuple!(A, B);
tuple!(A, B, C);
tuple!(A, B, C, D);

impl<K: Bin + Ord + Hash + Eq, V: Bin, S: BuildHasher + Default> Bin for HashMap<K, V, S> {
    /// In key order, so that equal maps give equal bytes.
    #[inline]
    fn put(&self, w: &mut Writer) {
        let mut entries: Vec<(&K, &V)> = self.iter().collect();
        entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
        w.len(entries.len());
        for (k, v) in entries {
            k.put(w);
            v.put(w);
        }
    }
    #[inline]
    fn get(r: &mut Reader<'_>) -> Result<Self, BinError> {
        let n = r.len(K::MIN_SIZE + V::MIN_SIZE)?;
        let mut out = HashMap::with_capacity_and_hasher(n, S::default());
        for _ in 0..n {
            let k = K::get(r)?;
            out.insert(k, V::get(r)?);
        }
        Ok(out)
    }
    const MIN_SIZE: usize = 1;
}

impl<K: Bin + Ord, V: Bin> Bin for BTreeMap<K, V> {
    #[inline]
    fn put(&self, w: &mut Writer) {
        w.len(self.len());
        for (k, v) in self {
            k.put(w);
            v.put(w);
        }
    }
    #[inline]
    fn get(r: &mut Reader<'_>) -> Result<Self, BinError> {
        let n = r.len(K::MIN_SIZE + V::MIN_SIZE)?;
        let mut out = BTreeMap::new();
        for _ in 0..n {
            let k = K::get(r)?;
            out.insert(k, V::get(r)?);
        }
        Ok(out)
    }
    const MIN_SIZE: usize = 1;
}

/// Implements [`Bin`] for a struct field by field, in the order given (every field must be
/// listed: the struct literal fails to compile otherwise).
#[macro_export]
macro_rules! bin_struct {
    ($t:ty { $($field:ident),+ $(,)? }) => {
        impl $crate::bin::Bin for $t {
            #[inline]
            fn put(&self, w: &mut $crate::bin::Writer) {
                $($crate::bin::Bin::put(&self.$field, w);)+
            }
            #[inline]
            fn get(r: &mut $crate::bin::Reader<'_>) -> Result<Self, $crate::bin::BinError> {
                Ok(Self { $($field: $crate::bin::Bin::get(r)?),+ })
            }
        }
    };
}

/// Implements [`Bin`] for a field-less enum as its position in the list given.
#[macro_export]
macro_rules! bin_enum {
    ($t:ty { $($variant:ident),+ $(,)? }) => {
        impl $crate::bin::Bin for $t {
            #[inline]
            fn put(&self, w: &mut $crate::bin::Writer) {
                let all = [$(<$t>::$variant),+];
                let i = all.iter().position(|v| v == self).expect("every variant is listed") as u8;
                $crate::bin::Bin::put(&i, w);
            }
            #[inline]
            fn get(r: &mut $crate::bin::Reader<'_>) -> Result<Self, $crate::bin::BinError> {
                let all = [$(<$t>::$variant),+];
                let i = <u8 as $crate::bin::Bin>::get(r)?;
                all.get(usize::from(i)).copied().ok_or_else(|| r.error(format!("{i} is not a {}", stringify!($t))))
            }
        }
    };
}

// The core vocabulary's forms.

impl Bin for crate::AreaCode {
    /// Length (one byte), then the letters.
    #[inline]
    fn put(&self, w: &mut Writer) {
        (self.as_str().len() as u8).put(w);
        w.raw(self.as_str().as_bytes());
    }
    #[inline]
    fn get(r: &mut Reader<'_>) -> Result<Self, BinError> {
        let n = u8::get(r)?;
        let bytes = r.take(usize::from(n))?;
        crate::AreaCode::from_ascii(bytes).ok_or_else(|| r.error(format!("{bytes:?} is not an area code")))
    }
    const MIN_SIZE: usize = 2;
}

impl Bin for crate::HsCode {
    /// One `u64`: the digits as a number (below 2^34), the length from bit 40, the
    /// vintage from bit 48.
    #[inline]
    fn put(&self, w: &mut Writer) {
        let vintage = u64::from(vintage_index(self.vintage()));
        (self.value() | (self.len() as u64) << 40 | vintage << 48).put(w);
    }
    #[inline]
    fn get(r: &mut Reader<'_>) -> Result<Self, BinError> {
        let packed = u64::get(r)?;
        let (value, len, vintage) = (packed & ((1 << 40) - 1), (packed >> 40) & 0xff, (packed >> 48) as usize);
        match (crate::HsCode::from_value(value, len as usize), VINTAGES.get(vintage)) {
            (Some(code), Some(v)) => Ok(code.with_vintage(*v)),
            _ => Err(r.error(format!("{packed:#x} is not an HS code"))),
        }
    }
    const MIN_SIZE: usize = 8;
}

/// The vintages in the order of their binary form.
const VINTAGES: [crate::HsVintage; 8] = {
    use crate::HsVintage::*;
    [Unspecified, Hs1992, Hs1996, Hs2002, Hs2007, Hs2012, Hs2017, Hs2022]
};

fn vintage_index(v: crate::HsVintage) -> u8 {
    VINTAGES.iter().position(|x| *x == v).expect("every vintage is listed") as u8
}

impl Bin for crate::Date {
    #[inline]
    fn put(&self, w: &mut Writer) {
        self.to_string().put(w);
    }
    #[inline]
    fn get(r: &mut Reader<'_>) -> Result<Self, BinError> {
        let text = String::get(r)?;
        text.parse().map_err(|e| r.error(format!("{text}: {e}")))
    }
}

bin_struct!(crate::Rejection { reason, rows, value, example });
bin_struct!(crate::Coverage { name, source, unit, rows_read, rows_kept, value_in, value_kept, rejected });

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip<T: Bin + PartialEq + std::fmt::Debug>(v: T) {
        let mut w = Writer::new();
        v.put(&mut w);
        let bytes = w.into_bytes();
        let mut r = Reader::new("test", &bytes);
        assert_eq!(T::get(&mut r).unwrap(), v);
        r.finish().unwrap();
    }

    #[test]
    fn values_round_trip() {
        round_trip(42u32);
        round_trip(-7i32);
        round_trip(0.1f64);
        round_trip(f64::NAN.to_bits());
        round_trip(String::from("Korea, Republic of"));
        round_trip(vec![Some(1.5f64), None]);
        round_trip((3u8, String::from("x"), vec![1u64, 2]));
        let mut m: HashMap<u32, String> = HashMap::new();
        m.insert(2, "b".into());
        m.insert(1, "a".into());
        round_trip(m);
        round_trip(BTreeMap::from([(1u8, 2.0f64)]));
    }

    #[test]
    fn equal_maps_give_equal_bytes() {
        let (mut a, mut b): (HashMap<u32, u32>, HashMap<u32, u32>) = (HashMap::new(), HashMap::new());
        for i in 0..100 {
            a.insert(i, i);
            b.insert(99 - i, 99 - i);
        }
        let (mut wa, mut wb) = (Writer::new(), Writer::new());
        a.put(&mut wa);
        b.put(&mut wb);
        assert_eq!(wa.into_bytes(), wb.into_bytes());
    }

    #[test]
    fn truncated_and_corrupt_bytes_are_errors_with_offsets() {
        let mut w = Writer::new();
        vec![1u32, 2, 3].put(&mut w);
        let bytes = w.into_bytes();
        let err = Vec::<u32>::get(&mut Reader::new("t.bin", &bytes[..bytes.len() - 1])).unwrap_err();
        assert_eq!(err.offset, 1, "{err}");
        // A count far beyond the bytes left is refused before allocating.
        let mut huge = Writer::new();
        huge.len(usize::MAX);
        let err = Vec::<u64>::get(&mut Reader::new("t.bin", &huge.into_bytes())).unwrap_err();
        assert!(err.message.contains("does not fit"), "{err}");
        assert_eq!(Option::<u8>::get(&mut Reader::new("t.bin", &[7])).unwrap_err().to_string(), "t.bin: byte 1: 7 is not an option tag");
    }
}

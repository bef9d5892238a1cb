import Foundation
import Kernels
import XCTest
@testable import Trainer

/// The fp32 → bf16 rounding and bf16 → fp32 widening behind `--precision bf16`, at every kernel
/// level this CPU runs, against a reference computed here by a different method: the two bf16
/// neighbours of x and exact Double distances, rather than the kernels' add-and-shift.
final class BFloat16ConversionTests: XCTestCase {
    private var levels: [KernelLevel] { KernelLevel.allCases.filter(\.isSupported) }

    /// Round to nearest, ties to even, by comparing distances to the neighbours below and above in
    /// magnitude. Above the largest finite bf16 the upper neighbour is 2¹²⁸, as if the exponent were
    /// unbounded (IEEE's overflow rule), which makes anything from halfway up round to infinity.
    private func reference(_ x: Float) -> UInt16 {
        precondition(!x.isNaN)
        let toward = UInt16(x.bitPattern >> 16)
        if x.isInfinite || x.bitPattern & 0xFFFF == 0 { return toward }
        let away = toward + 1
        let lower = Double(Float(bitPattern: UInt32(toward) << 16))
        let upper = away & 0x7FFF == 0x7F80 ? (x < 0 ? -0x1p128 : 0x1p128) : Double(Float(bitPattern: UInt32(away) << 16))
        let dLower = abs(Double(x) - lower), dUpper = abs(Double(x) - upper)
        if dLower != dUpper { return dLower < dUpper ? toward : away }
        return toward & 1 == 0 ? toward : away
    }

    private func round(_ values: [Float], level: KernelLevel) -> [UInt16] {
        var out = [UInt16](repeating: 0xDEAD, count: values.count)
        values.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { BFloat16Conversion.round(src.baseAddress!, into: $0.baseAddress!, count: values.count, level: level) }
        }
        return out
    }

    private func widen(_ values: [UInt16], level: KernelLevel) -> [Float] {
        var out = [Float](repeating: .nan, count: values.count)
        values.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { BFloat16Conversion.widen(src.baseAddress!, into: $0.baseAddress!, count: values.count, level: level) }
        }
        return out
    }

    func testCraftedBitPatternsRoundToNearestEven() {
        // (input bits, expected bf16 bits): written out by hand, checked by the reference as well.
        let cases: [(UInt32, UInt16)] = [
            (0x3F80_0000, 0x3F80),  // 1.0, exact
            (0x3F80_7FFF, 0x3F80),  // just below half an ulp: down
            (0x3F80_8000, 0x3F80),  // tie, even below: down
            (0x3F80_8001, 0x3F81),  // just above half: up
            (0x3F81_8000, 0x3F82),  // tie, odd below: up to even
            (0xBF81_8000, 0xBF82),  // the same, negative
            (0x3FFF_FFFF, 0x4000),  // carry into the exponent
            (0x7F7F_7FFF, 0x7F7F),  // below half of the top ulp: largest finite bf16
            (0x7F7F_8000, 0x7F80),  // tie at the top, odd below: overflows to +inf
            (0x7F7F_FFFF, 0x7F80),  // largest finite fp32: +inf
            (0xFF7F_FFFF, 0xFF80),  // and its negative: −inf
            (0x7F80_0000, 0x7F80),  // +inf
            (0xFF80_0000, 0xFF80),  // −inf
            (0x0000_0000, 0x0000),  // +0
            (0x8000_0000, 0x8000),  // −0
            (0x0000_0001, 0x0000),  // smallest subnormal: rounds to +0
            (0x8000_0001, 0x8000),  // to −0, sign kept
            (0x0000_8000, 0x0000),  // subnormal tie, even below
            (0x0001_8000, 0x0002),  // subnormal tie, odd below
            (0x0001_0000, 0x0001),  // smallest bf16 subnormal, exact
            (0x8001_7FFF, 0x8001),  // negative subnormal, below half
            (0x007F_FFFF, 0x0080),  // largest subnormal rounds up to the smallest normal
        ]
        for level in levels {
            // Padded with copies so both the 8-wide body and the scalar tail see every case.
            let inputs = cases.map { Float(bitPattern: $0.0) }
            let out = round(inputs + inputs + inputs.prefix(5), level: level)
            for (i, (bits, expected)) in cases.enumerated() {
                XCTAssertEqual(reference(Float(bitPattern: bits)), expected, String(format: "reference on %08x", bits))
                for offset in [0, cases.count] + (i < 5 ? [2 * cases.count] : []) {
                    XCTAssertEqual(out[i + offset], expected, String(format: "%@ on %08x at %d", "\(level)", bits, i + offset))
                }
            }
        }
    }

    func testNaNStaysNaNWithItsSign() {
        // Payloads only in the dropped half would round to infinity by the plain add-and-shift.
        let nans: [UInt32] = [0x7F80_0001, 0x7F80_FFFF, 0x7FC0_0000, 0x7FFF_FFFF, 0xFF80_0001, 0xFFC0_0000, 0xFFFF_FFFF, 0x7FBF_FFFF]
        for level in levels {
            let out = round(nans.map { Float(bitPattern: $0) } + nans.map { Float(bitPattern: $0) }, level: level)
            for (i, h) in out.enumerated() {
                let source = nans[i % nans.count]
                XCTAssertTrue(Float(bitPattern: UInt32(h) << 16).isNaN, String(format: "%@: %08x → %04x", "\(level)", source, h))
                XCTAssertEqual(h >> 15, UInt16(source >> 31), "sign of \(String(source, radix: 16))")
            }
        }
    }

    func testRandomBitPatternsMatchTheReference() {
        var rng = TrainingRNG(seed: 2024)
        // 1,003 values: not a multiple of 8, so the tail runs too; every exponent is likely covered.
        let inputs = (0..<1003).map { _ -> Float in
            var x = Float(bitPattern: UInt32(truncatingIfNeeded: rng.next()))
            while x.isNaN { x = Float(bitPattern: UInt32(truncatingIfNeeded: rng.next())) }
            return x
        }
        let expected = inputs.map(reference)
        for level in levels { XCTAssertEqual(round(inputs, level: level), expected, "\(level)") }
        // Small random activations, as the trainer stores them.
        let small = (0..<1003).map { _ in rng.normal() * 0.05 }
        for level in levels { XCTAssertEqual(round(small, level: level), small.map(reference), "\(level)") }
    }

    func testWideningIsExactAndInvertsRounding() {
        let all = (0...UInt16.max).map { $0 }
        for level in levels {
            let wide = widen(all, level: level)
            for (h, x) in zip(all, wide) {
                // bf16 is the top half of an fp32: widening appends 16 zero bits.
                XCTAssertEqual(x.bitPattern, UInt32(h) << 16)
            }
            let back = round(wide, level: level)
            for (h, r) in zip(all, back) where !Float(bitPattern: UInt32(h) << 16).isNaN {
                XCTAssertEqual(r, h, "a bf16 value rounds to itself")
            }
        }
    }
}

import Foundation

/// What one analysis window (20 ms, 160 samples) of the callee's audio looks like.
///
/// The tone measures come from the window's normalised autocorrelation ρ at a few lags. A
/// sinusoid of share `s` of the power (the rest white noise) has ρ(k) = s·cos(kω) for every lag:
/// lags 1 and 2 give `s` and ω without the bias that noise puts into a plain linear predictor, and
/// the longer lags check the fit, which noise and speech with their decaying correlation fail
/// even when two lags alone would look tonal. Asterisk's dsp.c asks Goertzel filters about
/// frequencies it knows in advance; mod_avmd estimates frequency per sample (DESA-2, unusable
/// above 2 kHz at 8 kHz) and needs many samples of variance to settle. This needs neither a list
/// of frequencies nor per-sample arc cosines: five sums per sample and a few calls per window.
struct WindowFeatures: Sendable, Equatable {
    /// Mean power of the window's samples, full scale (±1) squared.
    var power: Float
    /// The share of the power in one sinusoid, 0...1 (1: a pure tone).
    var toneShare: Float
    /// The sinusoid's frequency in Hz, when `toneShare` makes that meaningful.
    var frequency: Float
    /// How far the longer lags stray from a single sinusoid's (0: a perfect fit).
    var misfit: Float
    /// Whether the window holds a carrier's ringback (440 and 480 Hz together).
    var isRingback: Bool

    /// The window's length in samples.
    static let length = 160
    /// The sample rate every sample index counts at.
    static let sampleRate: Float = 8000

    private static let ringbackLow = Goertzel(frequency: 440)
    private static let ringbackHigh = Goertzel(frequency: 480)

    /// Measures a window of `length` samples scaled to ±1.
    init(window: UnsafeBufferPointer<Float>) {
        precondition(window.count == Self.length)
        var r0: Float = 0, r1: Float = 0, r2: Float = 0, r4: Float = 0, r7: Float = 0
        var low = Self.ringbackLow.start(), high = Self.ringbackHigh.start()
        for n in 0..<7 {
            let x = window[n]
            r0 += x * x
            Self.ringbackLow.feed(x, &low)
            Self.ringbackHigh.feed(x, &high)
        }
        for n in 7..<Self.length {
            let x = window[n]
            r0 += x * x
            r1 += x * window[n - 1]
            r2 += x * window[n - 2]
            r4 += x * window[n - 4]
            r7 += x * window[n - 7]
            Self.ringbackLow.feed(x, &low)
            Self.ringbackHigh.feed(x, &high)
        }
        power = r0 / Float(Self.length)
        guard r0 > 0 else {
            (toneShare, frequency, misfit, isRingback) = (0, 0, 1, false)
            return
        }
        // Each lag's sum has fewer terms than r0's; scale so a pure tone gives exactly cos(kω).
        let whole = r0 / Float(Self.length)
        let tail = Float(Self.length - 7)
        let rho1 = r1 / tail / whole, rho2 = r2 / tail / whole
        let rho4 = r4 / tail / whole, rho7 = r7 / tail / whole
        let share = (-rho2 + (rho2 * rho2 + 8 * rho1 * rho1).squareRoot()) / 2
        toneShare = min(max(share, 0), 1)
        let cosine = share > 0 ? min(max(rho1 / share, -1), 1) : 0
        let omega = acos(cosine)
        frequency = omega * Self.sampleRate / (2 * .pi)
        let miss4 = rho4 - share * cos(4 * omega), miss7 = rho7 - share * cos(7 * omega)
        misfit = (miss4 * miss4 + miss7 * miss7).squareRoot()
        let scale = 2 / (Float(Self.length) * r0)
        isRingback = Self.ringbackLow.power(low) * scale > 0.2 && Self.ringbackHigh.power(high) * scale > 0.2
    }
}

/// One Goertzel filter: the power of one DFT bin, computed as samples arrive.
struct Goertzel: Sendable {
    /// The filter's state between samples.
    typealias State = (Float, Float)
    private let coefficient: Float

    /// Creates a filter for `frequency` Hz at 8,000 Hz.
    init(frequency: Float) {
        coefficient = 2 * cos(2 * .pi * frequency / WindowFeatures.sampleRate)
    }

    func start() -> State { (0, 0) }

    @inline(__always)
    func feed(_ x: Float, _ state: inout State) {
        let next = x + coefficient * state.0 - state.1
        state = (next, state.0)
    }

    /// The bin's squared magnitude after the samples fed.
    func power(_ state: State) -> Float {
        state.0 * state.0 + state.1 * state.1 - coefficient * state.0 * state.1
    }
}

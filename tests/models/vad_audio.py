#!/usr/bin/env python3
"""Realistic audio for the Silero VAD test model: speech from espeak-ng between silence and noise, at 16 kHz.

  vad_audio.py OUT.npy [--seconds S] [--seed S]

Writes a float32 stream cut into frames of 512 samples, [N, 512], in time order (a VAD carries its state from one
frame to the next), and beside it OUT_labels.npy: uint8 [N], 1 where the frame lies inside a spoken utterance.
The stream alternates pauses (digital silence, hum, or white/pink noise at varied levels, 0.4-1.6 s) with sentences
spoken by espeak-ng in varied voices, speeds and pitches, mixed over low background noise. A fixed seed makes every
run byte-identical for a given espeak-ng version. Needs espeak-ng and python3-numpy (Debian packages).
"""
import io
import random
import subprocess
import sys
import wave

import numpy as np

RATE = 16000
FRAME = 512
SENTENCES = [
    "The meeting starts at nine tomorrow morning.", "Please turn left at the next crossing.",
    "I would like a cup of coffee with milk.", "The weather will be sunny with a light breeze.",
    "Can you send me the report before Friday?", "Our train was delayed by twenty minutes.",
    "She bought three apples and a loaf of bread.", "Remember to lock the door when you leave.",
    "The museum is closed on Mondays.", "We are recording a short test of the system.",
    "Thank you for calling, how can I help you?", "The package arrived this afternoon.",
]
VOICES = ["en", "en-us", "en+m3", "en+f2", "en-us+f4", "en+m7"]


def speak(text, voice, speed, pitch):
    wav = subprocess.run(["espeak-ng", "-v", voice, "-s", str(speed), "-p", str(pitch), "--stdout", text],
                         check=True, capture_output=True).stdout
    with wave.open(io.BytesIO(wav)) as w:
        rate = w.getframerate()
        samples = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16).astype(np.float64) / 32768
    return resample(samples, rate)


def resample(x, rate):
    """To 16 kHz: a windowed-sinc low-pass below the new Nyquist, then linear interpolation."""
    if rate == RATE:
        return x
    cutoff = 0.45 * RATE / rate
    taps = np.arange(-32, 33)
    kernel = 2 * cutoff * np.sinc(2 * cutoff * taps) * np.hamming(len(taps))
    smooth = np.convolve(x, kernel / kernel.sum(), mode="same")
    times = np.arange(0, len(x) / rate, 1 / RATE)
    return np.interp(times, np.arange(len(x)) / rate, smooth)


def noise(n, kind, level, rng):
    if kind == "silence":
        return np.zeros(n)
    if kind == "hum":
        t = np.arange(n) / RATE
        return level * (np.sin(2 * np.pi * 50 * t) + 0.3 * np.sin(2 * np.pi * 150 * t))
    white = rng.standard_normal(n)
    if kind == "pink":
        spectrum = np.fft.rfft(white)
        spectrum /= np.sqrt(np.maximum(np.arange(len(spectrum)), 1))
        white = np.fft.irfft(spectrum, n)
        white /= white.std() + 1e-12
    return level * white


def main(argv):
    out = argv[0]
    seconds = float(argv[argv.index("--seconds") + 1]) if "--seconds" in argv else 40.0
    seed = int(argv[argv.index("--seed") + 1]) if "--seed" in argv else 7
    rng = random.Random(seed)
    nprng = np.random.default_rng(seed)
    pieces, labels = [], []
    total = 0
    speaking = False
    while total < seconds * RATE:
        if speaking:
            speech = speak(rng.choice(SENTENCES), rng.choice(VOICES), rng.randint(130, 190), rng.randint(30, 70))
            speech *= rng.uniform(0.3, 0.9) / (np.abs(speech).max() + 1e-12)
            piece = speech + noise(len(speech), rng.choice(["white", "pink"]), rng.uniform(0.001, 0.01), nprng)
        else:
            length = int(rng.uniform(0.4, 1.6) * RATE)
            piece = noise(length, rng.choice(["silence", "white", "pink", "hum"]), rng.uniform(0.002, 0.03), nprng)
        pieces.append(piece)
        labels.append(np.full(len(piece), 1 if speaking else 0, dtype=np.uint8))
        total += len(piece)
        speaking = not speaking
    audio = np.clip(np.concatenate(pieces), -1, 1).astype(np.float32)
    label = np.concatenate(labels)
    frames = len(audio) // FRAME
    np.save(out, audio[: frames * FRAME].reshape(frames, FRAME))
    np.save(out[:-4] + "_labels.npy", (label[: frames * FRAME].reshape(frames, FRAME).mean(axis=1) > 0.5).astype(np.uint8))


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1:])

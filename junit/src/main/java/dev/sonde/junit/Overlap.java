package dev.sonde.junit;

/** Two stays of different threads in one section that share a moment; {@code first} began first. */
public record Overlap(Interval first, Interval second) {
}

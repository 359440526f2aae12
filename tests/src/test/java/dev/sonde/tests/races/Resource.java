package dev.sonde.tests.races;

/** What the lazy initializers create: something expensive of which there must be one. */
final class Resource {
}

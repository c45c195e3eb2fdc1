// Ink decides once, when it is first imported, whether to draw interactively: not when CI is set, where it writes
// only the last frame on exit. Tests that watch the live frames of the real render import this module before
// anything that loads Ink, so they behave the same on a developer's machine and under CI=true.
delete process.env.CI;
delete process.env.CONTINUOUS_INTEGRATION;

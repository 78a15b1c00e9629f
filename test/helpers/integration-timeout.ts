// jest's testTimeout is one setting for every project (5 s, for unit tests); tests on real or time-skipping
// servers get 120 s, and a file may set its own with jest.setTimeout.
jest.setTimeout(120_000);

/** A node executable that fails at startup, for the launcher's startup-failure path. */
console.error('failing node: cannot open data dir (on purpose)');
process.exit(3);

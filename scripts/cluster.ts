// Placeholder until the local cluster launcher lands (issue: run it like a user).
console.log('raftkv: the local cluster launcher is not built yet. Run `npm test` for now.');

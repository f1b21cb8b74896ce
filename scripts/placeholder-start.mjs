console.log('raftkv: the local cluster launcher is not built yet (see issue "Run it like a user"). Run `npm test` for now.');

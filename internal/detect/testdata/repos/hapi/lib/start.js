'use strict';

const Hapi = require('@hapi/hapi');

const init = async () => {
  const server = Hapi.server({ port: 3030, host: '0.0.0.0' });
  await server.start();
};

init();

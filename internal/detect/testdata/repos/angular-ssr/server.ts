import express from 'express';

export function app(): express.Express {
  return express();
}

function run(): void {
  const port = process.env['PORT'] || 4000;
  app().listen(port);
}

run();

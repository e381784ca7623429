// @ts-check
/** @type {import('@docusaurus/types').Config} */
const config = {
  title: 'Docs',
  url: 'https://docs.example.com',
  baseUrl: '/',
};

module.exports = config;

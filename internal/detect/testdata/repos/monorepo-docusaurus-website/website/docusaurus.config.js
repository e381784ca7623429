export default {
  title: 'Acme',
  url: 'https://docs.acme.dev',
  baseUrl: '/',
  presets: [['classic', {docs: {sidebarPath: './sidebars.js'}}]],
};

export default { title: 'Acme UI', url: 'https://ui.acme.dev', baseUrl: '/' };

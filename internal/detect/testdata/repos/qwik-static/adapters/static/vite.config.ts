import { staticAdapter } from '@builder.io/qwik-city/adapters/static/vite';
export default { plugins: [staticAdapter({ origin: 'https://yoursite.qwik.dev' })] };

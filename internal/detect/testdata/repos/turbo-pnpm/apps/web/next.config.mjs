/** @type {import('next').NextConfig} */
export default { transpilePackages: ['@acme/ui'] };

export default { transpilePackages: ['@acme/ui'] };

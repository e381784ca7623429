export default function App() {
  return <html><body>Remix</body></html>;
}

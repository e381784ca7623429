export default function Home() {
  return <h1>Store</h1>;
}

export default function Page() {
  return <main>Welcome</main>;
}

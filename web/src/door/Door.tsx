export default function Door() { return <p>door</p>; }

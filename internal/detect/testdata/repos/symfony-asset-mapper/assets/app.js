import "./styles/app.scss";

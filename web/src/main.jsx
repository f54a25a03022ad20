import { render } from 'preact';
import './app.css';
render(<p>Rapport</p>, document.getElementById('app'));

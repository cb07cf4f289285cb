import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App, type View } from './App.tsx';
import { pickApi } from './api/pick.ts';
import './styles.css';

const { api } = pickApi();
// `?view=usage` opens a view directly (the tray's "open at" links and the bench use it).
const requested = new URLSearchParams(window.location.search).get('view');
const initialView: View = requested === 'usage' || requested === 'accounts' ? requested : 'overview';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App api={api} initialView={initialView} />
  </StrictMode>,
);

import { createRouter, createWebHashHistory, type Router } from 'vue-router';
import AboutView from './views/AboutView.vue';
import CommandsView from './views/CommandsView.vue';
import DevicesView from './views/DevicesView.vue';
import HistoryView from './views/HistoryView.vue';
import LiveView from './views/LiveView.vue';
import ModelsView from './views/ModelsView.vue';
import MonitorView from './views/MonitorView.vue';
import ProfilesView from './views/ProfilesView.vue';
import SettingsView from './views/SettingsView.vue';
import SetupView from './views/SetupView.vue';
import WakeWordsView from './views/WakeWordsView.vue';

export const NAV_LINKS = [
  { to: '/live', label: 'Live' },
  { to: '/history', label: 'History' },
  { to: '/profiles', label: 'Profiles' },
  { to: '/devices', label: 'Devices' },
  { to: '/wake-words', label: 'Wake words' },
  { to: '/monitor', label: 'Monitor' },
  { to: '/models', label: 'Models' },
  { to: '/commands', label: 'Commands' },
  { to: '/settings', label: 'Settings' },
  { to: '/about', label: 'About' },
] as const;

/** Hash history: works the same from `app://` in Electron and from the serve host. */
export function createAppRouter(): Router {
  return createRouter({
    history: createWebHashHistory(),
    routes: [
      { path: '/', redirect: '/live' },
      { path: '/live', component: LiveView },
      { path: '/history', component: HistoryView },
      { path: '/profiles', component: ProfilesView },
      { path: '/devices', component: DevicesView },
      { path: '/wake-words', component: WakeWordsView },
      { path: '/monitor', component: MonitorView },
      { path: '/models', component: ModelsView },
      { path: '/commands', component: CommandsView },
      { path: '/settings', component: SettingsView },
      { path: '/about', component: AboutView },
      { path: '/setup', component: SetupView },
      { path: '/:unknown(.*)', redirect: '/live' },
    ],
  });
}

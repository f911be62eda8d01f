import { createPinia } from 'pinia';
import { createApp } from 'vue';
import App from './App.vue';
import { createBridge, installBridge } from './bridge';
import { createAppRouter } from './router';
import { useAppStore } from './stores/app';
import './styles.css';

const pinia = createPinia();
const app = createApp(App).use(pinia).use(createAppRouter());
const appStore = useAppStore(pinia);
installBridge(createBridge((connected, reason) => appStore.setConnection(connected, reason)));
app.mount('#app');

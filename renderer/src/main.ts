// The renderer's entry: mount the Vue app with its Pinia stores.
import { createPinia } from 'pinia'
import { createApp } from 'vue'
import App from './App.vue'
import './style.css'

createApp(App).use(createPinia()).mount('#app')

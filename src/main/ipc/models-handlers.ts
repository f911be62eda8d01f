import type { ModelsService } from '../models/models-service';
import type { IpcRouter } from './router';

/** The Models view's part of the IPC contract. */
export function bindModels(models: ModelsService, router: IpcRouter): (() => void)[] {
  return [
    router.handle('models:list', () => models.overview()),
    router.handle('models:add', ({ folder, name }) => models.add(folder, name)),
    router.handle('models:download', (request) => models.startDownload(request)),
    router.handle('models:cancel-download', async () => ({ cancelled: await models.cancelDownload() })),
    router.handle('models:delete', ({ name }) => models.remove(name)),
  ];
}

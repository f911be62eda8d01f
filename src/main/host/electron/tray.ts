import { Menu, Tray, nativeImage } from 'electron';

/** Tray icon with Show and Quit; Earshot keeps listening while its window is hidden. */
export function createTray(iconPath: string, actions: { show(): void; quit(): void }): Tray {
  const tray = new Tray(nativeImage.createFromPath(iconPath).resize({ width: 16, height: 16 }));
  tray.setToolTip('Earshot');
  tray.setContextMenu(
    Menu.buildFromTemplate([
      { label: 'Show Earshot', click: actions.show },
      { type: 'separator' },
      { label: 'Quit Earshot', click: actions.quit },
    ]),
  );
  tray.on('click', actions.show);
  return tray;
}

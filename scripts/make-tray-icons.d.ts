export declare const TRAY_STATES: readonly string[];
export declare function encodePng(width: number, height: number, rgba: Uint8Array): Buffer;
export declare function renderIcons(): Map<string, Buffer>;

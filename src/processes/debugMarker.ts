/**
 * Marks the debug containers this extension adds. It lives in the pod's spec, so it survives an
 * editor restart; ephemeral containers cannot be removed, so they are found again and reused.
 */
export const DEBUG_MARKER_ENV = 'POD_PROCESS_EXPLORER_DEBUG';

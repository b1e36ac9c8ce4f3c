/**
 * The fake api's sessions: the account's signed-in devices (this one first), signing one or every other device
 * out, and changing the password (the fake accepts any; `failNext('auth.changePassword', …)` refuses it).
 */
import type { DeviceView } from '../../../preload/api-types';
import type { FakeContext } from './fake-context';

export function createFakeDevices(ctx: FakeContext, specs?: readonly DeviceView[]) {
  let devices: DeviceView[] = specs
    ? specs.map((d) => ({ ...d }))
    : [{ deviceId: 'this-device', platform: 'linux', app: 'parley-desktop/1.0.0', lastSeen: ctx.now(), createdAt: ctx.now(), current: true }];

  return {
    devices: {
      list: () => ctx.record('devices.list', {}, () => ({ devices: devices.map((d) => ({ ...d })) })),
      revoke: (arg: { deviceId: string }) =>
        ctx.record('devices.revoke', arg, () => {
          const target = devices.find((d) => d.deviceId === arg.deviceId);
          if (!target) throw ctx.error('NOT_FOUND');
          if (target.current) throw ctx.error('BAD_REQUEST');
          devices = devices.filter((d) => d !== target);
        }),
      revokeOthers: () =>
        ctx.record('devices.revokeOthers', {}, () => {
          const revoked = devices.filter((d) => !d.current).length;
          devices = devices.filter((d) => d.current);
          return { revoked };
        }),
    },
    changePassword: (arg: { oldPassword: string; newPassword: string }) =>
      ctx.record('auth.changePassword', arg, () => {
        devices = devices.filter((d) => d.current);
      }),
  };
}

/**
 * What the renderer imports (types only, plus the `isApiError` guard): the `window.api` it is given, whichever
 * host runs it.
 */
export type {
  Api,
  ApiError,
  ApiErrorCode,
  ApiEventName,
  ApiEvents,
  ApiListener,
  ApiMethod,
  AccountView,
  AppInfo,
  AvatarImage,
  AvatarSizeName,
  ConnectionView,
  ContactRequestView,
  ContactView,
  ContactsView,
  ConversationView,
  DesktopSettings,
  DeviceView,
  FileView,
  FileWant,
  GroupInfo,
  GroupListingView,
  GroupMemberView,
  GroupRole,
  Language,
  LimitsView,
  MessagePreview,
  MessageStatus,
  MessageView,
  NotificationRequest,
  NotificationSettings,
  PendingChangeView,
  ProfileView,
  RoomLeftReason,
  RoomView,
  SearchHit,
  SessionView,
  Settings,
  SystemNoticeBody,
  Theme,
  UpdateChannel,
  UpdateView,
  UserView,
} from './contract.js';
export { isApiError } from './contract.js';

import type { Api } from './contract.js';

declare global {
  interface Window {
    readonly api: Api;
  }
}

import { createContext, useContext, type ReactNode } from 'react';
import type { AppModel } from '../state/app-model';

const ModelContext = createContext<AppModel | null>(null);

export function ModelProvider({ model, children }: { model: AppModel; children: ReactNode }) {
  return <ModelContext.Provider value={model}>{children}</ModelContext.Provider>;
}

export function useModel(): AppModel {
  const model = useContext(ModelContext);
  if (!model) throw new Error('useModel outside ModelProvider');
  return model;
}

/** The model where there is one: a few shared pieces (an avatar) render outside it too, with less. */
export function useOptionalModel(): AppModel | null {
  return useContext(ModelContext);
}

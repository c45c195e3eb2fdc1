import { useEffect, useState } from 'react';
import type { Core, ReviewDetail } from '../../../../core/index.ts';

/** The diagnosis hint and examples of the selected conversation; reloaded when the selection or its status changes. */
export function useReviewDetail(
  core: Core,
  conversationId: string | undefined,
  version: string,
): ReviewDetail | null {
  const [detail, setDetail] = useState<ReviewDetail | null>(null);
  useEffect(() => {
    if (!conversationId) {
      setDetail(null);
      return;
    }
    let current = true;
    // A short pause so holding j down does not load every conversation it passes.
    const timer = setTimeout(() => {
      core.review
        .getReviewDetail(conversationId)
        .then((loaded) => {
          if (current) setDetail(loaded);
        })
        .catch(() => {
          if (current) setDetail(null);
        });
    }, 60);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [core, conversationId, version]);
  return detail && detail.conversation.id === conversationId ? detail : null;
}

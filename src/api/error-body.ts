/** An OpenAI-style error response body, shared by the admin API and the proxy. */
export interface ErrorBody {
  error: {
    message: string;
    type: string;
    code: string;
    param?: string;
  };
}

export function errorBody(message: string, type: string, code: string, param?: string): ErrorBody {
  return { error: param === undefined ? { message, type, code } : { message, type, code, param } };
}

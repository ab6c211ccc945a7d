import * as Likewise from './index';

export default Likewise;
